@echo off
setlocal EnableExtensions
title Octofleet: installing ws2025 on SRV-WIN01
set "CB=http://10.0.2.2:8080/cb/42.Zm9vYmFyLWJhel9xdXV4X2NvcmdlLWdyYXVsdF9nYXJwbHk"
set "ART=http://10.0.2.2:8080/d/42.Zm9vYmFyLWJhel9xdXV4X2NvcmdlLWdyYXVsdF9nYXJwbHk"
set "LOG=X:\octofleet.log"
set "WORK=W:\octofleet"
rem WinPE knows which firmware it booted on (PEFirmwareType 1 = BIOS, 2 = UEFI; learn.microsoft.com/
rem windows-hardware/manufacture/desktop/boot-to-uefi-mode-or-legacy-bios-mode): partitioning and bcdboot
rem follow it, not what iPXE reported, which may be missing.
set "FIRMWARE=UEFI"
for /f "tokens=3" %%f in ('reg query HKLM\System\CurrentControlSet\Control /v PEFirmwareType 2^>NUL ^| find "PEFirmwareType"') do if "%%f"=="0x1" set "FIRMWARE=BIOS"
echo Octofleet: deployment 42, ws2025 standard-core on SRV-WIN01, %FIRMWARE%, profile kvm

set "STEP=initialise WinPE"
echo Octofleet: %STEP%
wpeinit || goto fail
set "STEP=load VirtIO drivers"
echo Octofleet: %STEP%
rem A driver that fails to load is reported once the network is up (it may be the NIC's own driver,
rem and then nothing can be reported: the console and X:\octofleet.log say which).
set "DRIVER_ERRORS="
drvload X:\Windows\System32\viostor.inf >>"%LOG%" 2>&1 || set "DRIVER_ERRORS=%DRIVER_ERRORS% viostor.inf"
drvload X:\Windows\System32\vioscsi.inf >>"%LOG%" 2>&1 || set "DRIVER_ERRORS=%DRIVER_ERRORS% vioscsi.inf"
drvload X:\Windows\System32\netkvm.inf >>"%LOG%" 2>&1 || set "DRIVER_ERRORS=%DRIVER_ERRORS% netkvm.inf"
if defined DRIVER_ERRORS echo Octofleet: drvload failed for:%DRIVER_ERRORS%
rem wpeinit found no NIC without the driver: start networking again now that there is one.
wpeutil InitializeNetwork >>"%LOG%" 2>&1
wpeutil WaitForNetwork >>"%LOG%" 2>&1

set "STEP=find curl.exe (add it to boot.wim or to the image's files in the catalog)"
curl.exe --version >NUL 2>&1 || goto fail

set "STEP=wait for the boot server"
echo Octofleet: %STEP% at http://10.0.2.2:8080
set TRIES=0
:wait_server
rem In a .cmd script SET resets ERRORLEVEL, so count first and let :fail see curl's exit code.
set /a TRIES+=1
rem -f: a proxy's 502 or 503 is not "up".
curl.exe -f -s -o NUL -m 10 "http://10.0.2.2:8080/healthz" && goto server_up
if %TRIES% geq 60 goto fail
ping -n 6 127.0.0.1 >NUL
goto wait_server
:server_up
call :report winpe_started "WinPE started: %FIRMWARE%, profile kvm" 5
if defined DRIVER_ERRORS (
  set "STEP=load drivers: drvload failed for%DRIVER_ERRORS% (a file the INF names is missing?)"
  goto fail
)

set "STEP=select the disk by rule smallest:20"
echo Octofleet: %STEP%
call :select_disk || goto disk_refused
call :report disk_selected "rule smallest:20 chose disk %DISK%: %DISK_CHOSEN%" 8

set "STEP=partition disk %DISK%"
echo Octofleet: %STEP%
(
  echo select disk %DISK%
  echo clean
  if "%FIRMWARE%"=="BIOS" (
    echo convert mbr
    echo create partition primary size=500
    echo format quick fs=ntfs label=System
    echo assign letter=S
    echo active
  ) else (
    echo convert gpt
    echo create partition efi size=260
    echo format quick fs=fat32 label=System
    echo assign letter=S
    echo create partition msr size=16
  )
  echo create partition primary
  echo format quick fs=ntfs label=Windows
  echo assign letter=W
) > X:\octofleet-diskpart.txt
diskpart /s X:\octofleet-diskpart.txt >>"%LOG%" 2>&1 || goto fail
rem DISM's scratch space and logs go to the target partition: X: is a RAM disk of at most 512 MB, too
rem small for a large driver pack.
mkdir "%WORK%\scratch" || goto fail
set "DISM_SCRATCH=/ScratchDir:%WORK%\scratch"
set "PARTITIONS=GPT with EFI, MSR and Windows partitions"
if "%FIRMWARE%"=="BIOS" set "PARTITIONS=MBR with system and Windows partitions"
call :report disk_prepared "Disk %DISK% partitioned: %PARTITIONS%" 10

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
dism /Apply-Image /ImageFile:"%WORK%\install.wim" /Name:"Windows Server 2025 SERVERSTANDARDCORE" /ApplyDir:W:\ %DISM_SCRATCH% /LogPath:%WORK%\dism-apply.log || goto fail
del /f /q "%WORK%\install.wim"
call :report image_applied "Applied Windows Server 2025 SERVERSTANDARDCORE" 70

set "STEP=add drivers"
dism /Image:W:\ /Add-Driver /Driver:X:\Windows\System32\viostor.inf %DISM_SCRATCH% /LogPath:%WORK%\dism-drivers.log >>"%LOG%" 2>&1 || goto fail
dism /Image:W:\ /Add-Driver /Driver:X:\Windows\System32\vioscsi.inf %DISM_SCRATCH% /LogPath:%WORK%\dism-drivers.log >>"%LOG%" 2>&1 || goto fail
dism /Image:W:\ /Add-Driver /Driver:X:\Windows\System32\netkvm.inf %DISM_SCRATCH% /LogPath:%WORK%\dism-drivers.log >>"%LOG%" 2>&1 || goto fail
call :report drivers_added "VirtIO drivers added to Windows: viostor.inf vioscsi.inf netkvm.inf" 80

set "STEP=download the answer file"
mkdir W:\Windows\Panther 2>NUL
curl.exe -f -s -S --retry 5 --retry-delay 5 --retry-connrefused -o W:\Windows\Panther\unattend.xml "%ART%/autounattend.xml" >>"%LOG%" 2>&1 || goto fail
set "STEP=download SetupComplete.cmd"
mkdir W:\Windows\Setup\Scripts 2>NUL
curl.exe -f -s -S --retry 5 --retry-delay 5 --retry-connrefused -o W:\Windows\Setup\Scripts\SetupComplete.cmd "%ART%/SetupComplete.cmd" >>"%LOG%" 2>&1 || goto fail

rem A KMS client key (GVLK) on evaluation media fails the specialize pass with no report: check the
rem applied edition now, while the failure can still be reported.
set "STEP=check the applied edition"
set "EDITION="
reg load HKLM\OCTOFLEET_SW W:\Windows\System32\config\SOFTWARE >>"%LOG%" 2>&1
for /f "tokens=3" %%e in ('reg query "HKLM\OCTOFLEET_SW\Microsoft\Windows NT\CurrentVersion" /v EditionID 2^>NUL ^| find "EditionID"') do set "EDITION=%%e"
reg unload HKLM\OCTOFLEET_SW >>"%LOG%" 2>&1
echo.%EDITION%| find /i "Eval" >NUL && goto evaluation_media

set "STEP=write boot files"
echo Octofleet: %STEP%
rem UEFI: /addlast keeps the network first in the firmware boot order, so a later redeploy still
rem PXE-boots; Octofleet's local-boot script chains straight to this disk meanwhile (docs/windows.md).
set "BCDBOOT_FIRMWARE=/f UEFI /addlast"
if "%FIRMWARE%"=="BIOS" set "BCDBOOT_FIRMWARE=/f BIOS"
bcdboot W:\Windows /s S: %BCDBOOT_FIRMWARE% >>"%LOG%" 2>&1 || goto fail

copy /y "%WORK%\dism-*.log" W:\Windows\Temp\ >NUL 2>&1
rmdir /s /q "%WORK%"
copy /y "%LOG%" W:\Windows\Temp\octofleet-winpe.log >NUL
call :report rebooting "Rebooting into Windows" 90
wpeutil reboot
exit /b 0

:evaluation_media
call :report failed "This image is evaluation media (edition %EDITION%), which refuses the edition's KMS client key in the specialize pass. Remove productKey from this edition in the catalog, or use volume-license media."
echo Octofleet: stopped. This machine will not reboot by itself; the prompt below is for diagnosis.
cmd.exe /k
exit /b 1

:disk_refused
call :report failed "WinPE: %DISK_WHY%; disks seen: %DISK_SEEN%. Set a disk rule that names one disk (disk:serial:...)"
echo Octofleet: stopped: %DISK_WHY%. This machine will not reboot by itself; the prompt below is for diagnosis.
cmd.exe /k
exit /b 1

:fail
set "RC=%ERRORLEVEL%"
echo.
echo Octofleet: step "%STEP%" failed with error level %RC%; log: %LOG%
call :report failed "WinPE: %STEP% failed with error level %RC%"
echo Octofleet: stopped. This machine will not reboot by itself; the prompt below is for diagnosis.
cmd.exe /k
exit /b %RC%

:select_disk
set "DISK="
set "DISK_COUNT=0"
set "DISK_LIST="
set "DISK_SEEN="
set "DISK_CHOSEN="
set "DISK_BEST="
set "DISK_WHY="
where wmic.exe >NUL 2>&1 || (set "DISK_WHY=wmic.exe is missing from this WinPE (add the WinPE-WMI component)" & exit /b 1)
rem /format:list prints Key=Value lines, keys in alphabetical order: Index opens a disk, Size closes it.
rem The inner for drops the carriage return wmic leaves at the end of each value.
for /f "tokens=1,* delims==" %%a in ('wmic diskdrive get Index^,InterfaceType^,MediaType^,Model^,SerialNumber^,Size /format:list ^| find "="') do (
  for /f "delims=" %%c in ("%%b") do call :disk_field "%%a" "%%c"
  if /i "%%a"=="Index" call :disk_field "%%a" ""
)
if "%DISK_COUNT%"=="1" exit /b 0
if not defined DISK_SEEN set "DISK_SEEN=; none"
set "DISK_SEEN=%DISK_SEEN:~2%"
if "%DISK_COUNT%"=="0" (
  set "DISK_WHY=no disk matches disk rule smallest:20"
) else (
  set "DISK_WHY=%DISK_COUNT% disks match disk rule smallest:20 (disks%DISK_LIST%), refusing to guess"
)
exit /b 1

:disk_field
rem Index arrives twice: once with its value (inner loop), once empty (to reset an empty record's fields).
if /i "%~1"=="Index" (
  if not "%~2"=="" set "D_INDEX=%~2"
  if "%~2"=="" (set "D_IF=" & set "D_MEDIA=" & set "D_MODEL=" & set "D_SERIAL=")
  exit /b 0
)
if /i "%~1"=="InterfaceType" set "D_IF=%~2"
if /i "%~1"=="MediaType" set "D_MEDIA=%~2"
if /i "%~1"=="Model" set "D_MODEL=%~2"
if /i "%~1"=="SerialNumber" for /f "tokens=*" %%s in ("%~2") do set "D_SERIAL=%%s"
if /i not "%~1"=="Size" exit /b 0
set "D_SIZE=%~2"
set "D_GB=0"
if not "%D_SIZE:~9%"=="" set "D_GB=%D_SIZE:~0,-9%"
set "D_PADDED=00000000000000000000%D_SIZE%"
set "D_PADDED=%D_PADDED:~-20%"
set "D_REMOVABLE="
if /i "%D_IF%"=="USB" set "D_REMOVABLE=, removable/USB"
if /i not "%D_MEDIA%"=="Fixed hard disk media" set "D_REMOVABLE=, removable/USB"
if not defined D_SERIAL set "D_SERIAL=none"
set "D_TEXT=%D_MODEL%, %D_GB% GB, serial %D_SERIAL%"
set "DISK_SEEN=%DISK_SEEN%; disk %D_INDEX%: %D_TEXT%%D_REMOVABLE%"
set "HIT="
rem smallest: a smaller eligible disk starts the list again; one of the same size joins it (ambiguous).
if defined D_REMOVABLE goto disk_matched
if %D_GB% lss 20 goto disk_matched
if not defined DISK_BEST set "DISK_BEST=%D_PADDED%"
if "x%D_PADDED%" lss "x%DISK_BEST%" (set "DISK_BEST=%D_PADDED%" & set "DISK_COUNT=0" & set "DISK_LIST=")
if "x%D_PADDED%"=="x%DISK_BEST%" set "HIT=1"
:disk_matched
if not defined HIT exit /b 0
set /a DISK_COUNT+=1
set "DISK=%D_INDEX%"
set "DISK_LIST=%DISK_LIST% %D_INDEX%"
set "DISK_CHOSEN=%D_TEXT%"
exit /b 0

:report
echo Octofleet: [%~1] %~2
set "PROGRESS="
if not "%~3"=="" set "PROGRESS=-d progress=%~3"
curl.exe -s -S -o NUL -m 20 --retry 5 --retry-delay 3 --retry-connrefused -w "callback %~1: HTTP %%{http_code}\n" -d "status=%~1" --data-urlencode "message=%~2" %PROGRESS% "%CB%" >>"%LOG%" 2>&1
exit /b 0
