package io.kaiyuan.engine;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine's inner layering: what each of its packages may see. */
class EngineArchitectureTest {
    private static JavaClasses engine;

    @BeforeAll
    static void importClasses() {
        engine = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.kaiyuan.engine");
    }

    @Test
    void theApiDependsOnNothingElseOfTheEngine() {
        noClasses().that().resideInAPackage("io.kaiyuan.engine.api..")
                .should().dependOnClassesThat(resideInAPackage("io.kaiyuan.engine..")
                        .and(not(resideInAPackage("io.kaiyuan.engine.api.."))))
                .because("the API is what the UI, the server and the command line share; it must not drag the engine in")
                .check(engine);
    }

    @Test
    void samplingAndTokenizingDoNotSeeOnnxRuntime() {
        noClasses().that().resideInAnyPackage("io.kaiyuan.engine.sample..", "io.kaiyuan.engine.tokenize..")
                .should().dependOnClassesThat(resideInAnyPackage("io.kaiyuan.engine.ort..", "ai.onnxruntime.."))
                .because("they work on token ids and logits, whatever runs the graph")
                .check(engine);
    }

    @Test
    void theChatDoesNotSeeComparisons() {
        noClasses().that().resideInAPackage("io.kaiyuan.engine.chat..")
                .should().dependOnClassesThat().resideInAPackage("io.kaiyuan.engine.compare..")
                .because("comparisons keep their own records (VoteStore); the chat history is the chat's")
                .check(engine);
    }
}
