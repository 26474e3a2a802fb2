@echo off
rem Kaiyuan launcher for Windows. Without arguments it starts the desktop app; with a subcommand it
rem runs the CLI (kaiyuan --help). The first run builds with Maven; later runs rebuild only when a
rem source file or pom.xml changed since the last build.
setlocal
set "ROOT=%~dp0"
set "TARGET=%ROOT%app\target"
set "STAMP=%TARGET%\.kaiyuan-built"

powershell -NoProfile -ExecutionPolicy Bypass -Command ^
  "$stamp = '%STAMP%'; if (!(Test-Path $stamp) -or !(Test-Path '%TARGET%\kaiyuan-app.jar')) { exit 1 };" ^
  "$t = (Get-Item $stamp).LastWriteTime;" ^
  "$changed = Get-ChildItem -Path '%ROOT%pom.xml','%ROOT%engine','%ROOT%ui','%ROOT%app' -Recurse -File |" ^
  "  Where-Object { $_.FullName -notmatch '\\target\\' -and $_.LastWriteTime -gt $t } | Select-Object -First 1;" ^
  "if ($changed) { exit 1 } else { exit 0 }"
if errorlevel 1 (
  where mvn >nul 2>nul || (echo kaiyuan: building needs Maven 3.8+ and a JDK 17+. 1>&2 & exit /b 1)
  echo kaiyuan: building ^(first run, or sources changed^)... 1>&2
  pushd "%ROOT%"
  call mvn -q -B -DskipTests package 1>&2 || (popd & exit /b 1)
  popd
  type nul > "%STAMP%"
)

set "JAVA=java"
if defined JAVA_HOME set "JAVA=%JAVA_HOME%\bin\java"
"%JAVA%" %KAIYUAN_JAVA_OPTS% -p "%TARGET%\kaiyuan-app.jar;%TARGET%\lib" -m io.kaiyuan.app/io.kaiyuan.app.Main %*
