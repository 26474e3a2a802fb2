package io.kaiyuan.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules of the module layout, stated in words: app -> ui -> engine, and what no module does. */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("io.kaiyuan");
    }

    @Test
    void engineMustNotDependOnJavaFx() {
        noClasses().that().resideInAPackage("io.kaiyuan.engine..")
                .should().dependOnClassesThat().resideInAPackage("javafx..")
                .because("the engine serves the CLI, the server and tests without a display")
                .check(classes);
    }

    @Test
    void uiMustNotAccessOnnxRuntime() {
        noClasses().that().resideInAPackage("io.kaiyuan.ui..")
                .should().dependOnClassesThat().resideInAPackage("ai.onnxruntime..")
                .because("the UI talks to the engine through its API only")
                .check(classes);
    }

    @Test
    void caseChangesNameTheirLocale() {
        // under a Turkish default locale "I".toLowerCase() is a dotless ı: identifiers, provider names and
        // file names change case with Locale.ROOT
        noClasses().should().callMethod(String.class, "toLowerCase")
                .orShould().callMethod(String.class, "toUpperCase")
                .because("a case change without a locale follows the user's default locale")
                .check(classes);
    }

    @Test
    void pagesReachTheEngineThroughTheirBackends() {
        // a page's view model (and the shell that makes them) sees the engine's values and stores, but loads,
        // downloads and runs models only through its backend (ChatBackend, CompareBackend, ModelsBackend),
        // which the app's wiring gives it
        noClasses().that().resideInAPackage("io.kaiyuan.ui..").and().haveSimpleNameEndingWith("ViewModel")
                .or().resideInAPackage("io.kaiyuan.ui.shell..")
                .should().dependOnClassesThat().resideInAnyPackage("io.kaiyuan.engine.host..", "io.kaiyuan.engine.ort..",
                        "io.kaiyuan.engine.generate..", "io.kaiyuan.engine.onnx..", "io.kaiyuan.engine.tokenize..",
                        "io.kaiyuan.engine.template..", "io.kaiyuan.engine.sample..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.kaiyuan.engine.model.ModelRegistry")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.kaiyuan.engine.model.Catalog")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.kaiyuan.engine.download.ModelInstaller")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.kaiyuan.engine.download.Sources")
                .because("each page runs on a backend the wiring chooses, so it can be tested and replaced alone")
                .check(classes);
    }

    @Test
    void layersDependOnlyDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("App").definedBy("io.kaiyuan.app..")
                .layer("UI").definedBy("io.kaiyuan.ui..")
                .layer("Engine").definedBy("io.kaiyuan.engine..")
                .whereLayer("App").mayNotBeAccessedByAnyLayer()
                .whereLayer("UI").mayOnlyBeAccessedByLayers("App")
                .whereLayer("Engine").mayOnlyBeAccessedByLayers("UI", "App")
                .check(classes);
    }
}
