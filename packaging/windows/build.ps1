# Builds Kaiyuan for Windows: a trimmed Java runtime (jlink), the app image and an .msi installer with
# a Start-menu entry. Output: app\target\packaging\.
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [app-image] [msi]   (default: both)
#
# Needs a JDK 17+ with jlink and jpackage, and for the .msi the WiX Toolset 3 (candle.exe and light.exe
# on the PATH). Without KAIYUAN_NO_BUILD=1 it first builds the app with Maven (KAIYUAN_MAVEN_ARGS adds
# options); `mvn -Ppackage package` runs this script after its own build.
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path
Set-Location $root
$types = if ($args.Count -gt 0) { $args } else { @('app-image', 'msi') }

function Run($exe, [string[]]$arguments) {
    & $exe @arguments
    if ($LASTEXITCODE -ne 0) { throw "$exe failed with exit code $LASTEXITCODE" }
}

if ($env:KAIYUAN_NO_BUILD -ne '1') {
    $extra = if ($env:KAIYUAN_MAVEN_ARGS) { $env:KAIYUAN_MAVEN_ARGS -split ' ' } else { @() }
    Run 'mvn' (@('-B', '-q', '-DskipTests') + $extra + @('package'))
}
$version = $env:KAIYUAN_VERSION
if (-not $version) {
    $pom = [xml](Get-Content (Join-Path $root 'pom.xml'))
    $version = $pom.project.version
}
$appVersion = ($version -split '-')[0]
$out = Join-Path $root 'app\target\packaging'
if (Test-Path $out) { Remove-Item -Recurse -Force $out }
New-Item -ItemType Directory -Force (Join-Path $out 'modules') | Out-Null
Copy-Item 'app\target\kaiyuan-app.jar', 'app\target\lib\*.jar' (Join-Path $out 'modules')
# ONNX Runtime, the tokenizer and SQLite ship natives for every OS in their jars: keep Windows x64's.
$slim = @{ 'onnxruntime*.jar' = 'ai/onnxruntime/native/=win-x64'; 'tokenizers-*.jar' = 'native/lib/=win-x86_64';
           'sqlite-jdbc-*.jar' = 'org/sqlite/native/=Windows/x86_64' }
foreach ($pattern in $slim.Keys) {
    foreach ($jar in Get-ChildItem (Join-Path $out "modules\$pattern")) {
        Run 'java' @('packaging\SlimJar.java', $jar.FullName, "$($jar.FullName).slim", $slim[$pattern])
        Move-Item -Force "$($jar.FullName).slim" $jar.FullName
    }
}

$modules = (Get-Content 'packaging\jdk-modules.txt' | Where-Object { $_ -and -not $_.StartsWith('#') }) -join ','
Run 'jlink' @('--add-modules', $modules, '--strip-debug', '--no-header-files', '--no-man-pages', '--compress=2',
    '--output', (Join-Path $out 'runtime'))

Run 'jpackage' @('--type', 'app-image', '@packaging\jpackage-common.txt', '@packaging\jpackage-app.txt',
    '@packaging\windows\jpackage.txt', '--app-version', $appVersion, '--runtime-image', (Join-Path $out 'runtime'),
    '--module-path', (Join-Path $out 'modules'), '--dest', $out)
$image = Join-Path $out 'Kaiyuan'
Copy-Item 'LICENSE', 'THIRD-PARTY.md' (Join-Path $image 'app')
Push-Location (Join-Path $image 'app')
$ort = (Get-ChildItem (Join-Path $root 'app\target\lib\onnxruntime*.jar')).FullName
Run 'jar' @('xf', $ort, 'ThirdPartyNotices.txt')
Move-Item 'ThirdPartyNotices.txt' 'ONNXRUNTIME-THIRD-PARTY-NOTICES.txt' -Force
Pop-Location
Write-Output "app image: $image"

foreach ($type in $types) {
    switch ($type) {
        'app-image' { }
        'msi' {
            Run 'jpackage' @('--type', 'msi', '@packaging\jpackage-common.txt', '@packaging\windows\jpackage.txt',
                '@packaging\windows\installer.txt', '--app-version', $appVersion, '--app-image', $image, '--dest', $out)
            Get-ChildItem (Join-Path $out '*.msi') | ForEach-Object { Write-Output "msi: $($_.FullName)" }
        }
        default { throw "unknown package type '$type': use app-image or msi" }
    }
}
