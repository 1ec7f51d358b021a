@echo off
setlocal EnableExtensions
title Octofleet: installing ws2025 on SRV-WIN01
set "CB=http://10.0.2.2:8080/cb/42.Zm9vYmFyLWJhel9xdXV4X2NvcmdlLWdyYXVsdF9nYXJwbHk"
set "ART=http://10.0.2.2:8080/d/42.Zm9vYmFyLWJhel9xdXV4X2NvcmdlLWdyYXVsdF9nYXJwbHk"
set "LOG=X:\octofleet.log"
set "WORK=W:\octofleet"
echo Octofleet: deployment 42, ws2025 standard-core on SRV-WIN01, UEFI, profile baremetal

set "STEP=initialise WinPE"
echo Octofleet: %STEP%
wpeinit || goto fail
wpeutil WaitForNetwork >>"%LOG%" 2>&1

set "STEP=find curl.exe (add it to boot.wim or to the image's files in the catalog)"
curl.exe --version >NUL 2>&1 || goto fail

set "STEP=wait for the boot server"
echo Octofleet: %STEP% at http://10.0.2.2:8080
set TRIES=0
:wait_server
rem In a .cmd script SET resets ERRORLEVEL, so count first and let :fail see curl's exit code.
set /a TRIES+=1
curl.exe -s -o NUL -m 10 "http://10.0.2.2:8080/healthz" && goto server_up
if %TRIES% geq 60 goto fail
ping -n 6 127.0.0.1 >NUL
goto wait_server
:server_up
call :report winpe_started "WinPE started: UEFI, profile baremetal" 5

set "STEP=partition disk 0"
echo Octofleet: %STEP%
(
  echo select disk 0
  echo clean
  echo convert gpt
  echo create partition efi size=260
  echo format quick fs=fat32 label=System
  echo assign letter=S
  echo create partition msr size=16
  echo create partition primary
  echo format quick fs=ntfs label=Windows
  echo assign letter=W
) > X:\octofleet-diskpart.txt
diskpart /s X:\octofleet-diskpart.txt >>"%LOG%" 2>&1 || goto fail
mkdir "%WORK%" || goto fail
call :report disk_prepared "Disk 0 partitioned: GPT with EFI, MSR and Windows partitions" 10

set "STEP=download install.wim"
call :report image_downloading "Downloading http://10.0.2.2:8080/files/windows/ws2025/install.wim" 15
set TRIES=0
:download
set /a TRIES+=1
rem -C - resumes a partial file, so a retry continues where the last attempt stopped.
curl.exe -f -S -L -C - --retry 5 --retry-delay 10 --retry-connrefused -o "%WORK%\install.wim" "http://10.0.2.2:8080/files/windows/ws2025/install.wim" && goto downloaded
if %TRIES% geq 5 goto fail
echo Octofleet: download interrupted (attempt %TRIES% of 5), resuming in 30 s
ping -n 31 127.0.0.1 >NUL
goto download
:downloaded

set "STEP=apply image Windows Server 2025 SERVERSTANDARDCORE"
call :report progress "Applying Windows Server 2025 SERVERSTANDARDCORE" 45
dism /Apply-Image /ImageFile:"%WORK%\install.wim" /Name:"Windows Server 2025 SERVERSTANDARDCORE" /ApplyDir:W:\ /LogPath:X:\octofleet-dism.log || goto fail
del /f /q "%WORK%\install.wim"
call :report image_applied "Applied Windows Server 2025 SERVERSTANDARDCORE" 70

set "STEP=add drivers"
curl.exe -f -s -S -L --retry 5 --retry-delay 10 --retry-connrefused -o "%WORK%\drivers.wim" "http://10.0.2.2:8080/files/windows/ws2025/drivers/baremetal/poweredge-r650.wim" >>"%LOG%" 2>&1
if %ERRORLEVEL% equ 22 goto no_driver_pack
if errorlevel 1 goto fail
mkdir "%WORK%\drivers" || goto fail
dism /Apply-Image /ImageFile:"%WORK%\drivers.wim" /Index:1 /ApplyDir:"%WORK%\drivers" >>"%LOG%" 2>&1 || goto fail
dism /Image:W:\ /Add-Driver /Driver:"%WORK%\drivers" /Recurse >>"%LOG%" 2>&1 || goto fail
call :report drivers_added "Driver pack for poweredge-r650 added" 80
goto drivers_done
:no_driver_pack
call :report drivers_added "No driver pack for poweredge-r650 (HTTP error from http://10.0.2.2:8080/files/windows/ws2025/drivers/baremetal/poweredge-r650.wim): inbox drivers only" 80
:drivers_done

set "STEP=download the answer file"
mkdir W:\Windows\Panther 2>NUL
curl.exe -f -s -S --retry 5 --retry-delay 5 --retry-connrefused -o W:\Windows\Panther\unattend.xml "%ART%/autounattend.xml" >>"%LOG%" 2>&1 || goto fail
set "STEP=download SetupComplete.cmd"
mkdir W:\Windows\Setup\Scripts 2>NUL
curl.exe -f -s -S --retry 5 --retry-delay 5 --retry-connrefused -o W:\Windows\Setup\Scripts\SetupComplete.cmd "%ART%/SetupComplete.cmd" >>"%LOG%" 2>&1 || goto fail

set "STEP=write boot files"
echo Octofleet: %STEP%
bcdboot W:\Windows /s S: /f UEFI >>"%LOG%" 2>&1 || goto fail

rmdir /s /q "%WORK%"
copy /y "%LOG%" W:\Windows\Temp\octofleet-winpe.log >NUL
call :report rebooting "Rebooting into Windows" 90
wpeutil reboot
exit /b 0

:fail
set "RC=%ERRORLEVEL%"
echo.
echo Octofleet: step "%STEP%" failed with error level %RC%; log: %LOG%
call :report failed "WinPE: %STEP% failed with error level %RC%"
echo Octofleet: stopped. This machine will not reboot by itself; the prompt below is for diagnosis.
cmd.exe /k
exit /b %RC%

:report
echo Octofleet: [%~1] %~2
set "PROGRESS="
if not "%~3"=="" set "PROGRESS=-d progress=%~3"
curl.exe -s -S -o NUL -m 20 --retry 5 --retry-delay 3 --retry-connrefused -w "callback %~1: HTTP %%{http_code}\n" -d "status=%~1" --data-urlencode "message=%~2" %PROGRESS% "%CB%" >>"%LOG%" 2>&1
exit /b 0
