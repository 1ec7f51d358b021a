@echo off
setlocal EnableExtensions
set "CB=http://10.0.2.2:8080/cb/42.Zm9vYmFyLWJhel9xdXV4X2NvcmdlLWdyYXVsdF9nYXJwbHk"
set "LOG=%SystemRoot%\Temp\octofleet-firstboot.log"
set "STEP=start"
call :report configuring "First boot: SRV-WIN01 is running SetupComplete.cmd" 94

set "STEP=download the agent"
call :report progress "Installing the agent from http://10.0.2.2:8080/files/agent/octofleet-agent-setup.exe" 97
set "AGENT=%SystemRoot%\Temp\octofleet-agent.exe"
curl.exe -f -s -S -L --retry 5 --retry-delay 10 --retry-connrefused -o "%AGENT%" "http://10.0.2.2:8080/files/agent/octofleet-agent-setup.exe" >>"%LOG%" 2>&1 || goto fail
set "STEP=install the agent"
rem WINDOWS_AGENT_ARGS is the installer's silent switch: without one it would wait for a click.
start "" /wait "%AGENT%" /S /norestart
if errorlevel 1 goto fail
del /f /q "%AGENT%"
call :report agent_installed "Agent installed" 98

set "STEP=delete the answer file"
call :delete_answer_file || goto fail
call :report done "SRV-WIN01 is ready" 100
exit /b 0

:fail
set "RC=%ERRORLEVEL%"
set "LEFT="
call :delete_answer_file || set "LEFT= (and the answer file could not be deleted)"
call :report failed "First boot: %STEP% failed with error level %RC%%LEFT%"
exit /b %RC%

:delete_answer_file
del /f /q "%SystemRoot%\Panther\unattend.xml" "%SystemRoot%\Panther\Unattend\unattend.xml" >>"%LOG%" 2>&1
if exist "%SystemRoot%\Panther\unattend.xml" exit /b 1
if exist "%SystemRoot%\Panther\Unattend\unattend.xml" exit /b 1
exit /b 0

:report
echo Octofleet: [%~1] %~2
set "PROGRESS="
if not "%~3"=="" set "PROGRESS=-d progress=%~3"
curl.exe -s -S -o NUL -m 20 --retry 5 --retry-delay 3 --retry-connrefused -w "callback %~1: HTTP %%{http_code}\n" -d "status=%~1" --data-urlencode "message=%~2" %PROGRESS% "%CB%" >>"%LOG%" 2>&1
exit /b 0
