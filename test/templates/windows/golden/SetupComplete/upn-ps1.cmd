@echo off
setlocal EnableExtensions
set "CB=http://10.0.2.2:8080/cb/42.Zm9vYmFyLWJhel9xdXV4X2NvcmdlLWdyYXVsdF9nYXJwbHk"
set "LOG=%SystemRoot%\Temp\octofleet-firstboot.log"
set "STEP=start"
call :report configuring "First boot: SRV-WIN01 is running SetupComplete.cmd" 94

set "STEP=check the domain join"
powershell.exe -NoProfile -NonInteractive -Command "if ((Get-CimInstance Win32_ComputerSystem).PartOfDomain) { exit 0 } else { exit 1 }" >>"%LOG%" 2>&1 || goto not_joined
call :report domain_joined "Joined corp.example.com" 96

set "STEP=download the agent"
call :report progress "Installing the agent from https://agents.example.com/octofleet/install-agent.ps1" 97
set "AGENT=%SystemRoot%\Temp\octofleet-agent.ps1"
curl.exe -f -s -S -L --retry 5 --retry-delay 10 --retry-connrefused -o "%AGENT%" "https://agents.example.com/octofleet/install-agent.ps1" >>"%LOG%" 2>&1 || goto fail
set "STEP=install the agent"
powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "%AGENT%" >>"%LOG%" 2>&1 || goto fail
del /f /q "%AGENT%"
call :report agent_installed "Agent installed" 98

set "STEP=delete the answer file"
call :delete_answer_file || goto fail
call :report done "SRV-WIN01 is ready" 100
exit /b 0

:not_joined
call :delete_answer_file
rem Since KB5020276 (October 2022) a domain controller refuses to let another account take over an existing
rem computer object: NetSetup.LOG says "Account re-use blocked by policy" (error 0xaac).
findstr /i /c:"re-use blocked" /c:"0xaac" "%SystemRoot%\debug\NetSetup.LOG" >NUL 2>&1 && goto reuse_blocked
call :report failed "Domain join to corp.example.com did not happen: the computer is not in a domain. See C:\Windows\debug\NetSetup.LOG"
exit /b 1

:reuse_blocked
call :report failed "Domain join to corp.example.com refused: a computer account SRV-WIN01 already exists and KB5020276 blocks re-using it. Delete the computer object (or let the join account own it, or allow re-use by policy: Domain controller: Allow computer account re-use during domain join), then redeploy"
exit /b 1

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
