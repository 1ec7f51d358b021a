#!/bin/sh
# chassis_control helper for OpenIPMI's ipmi_sim: the "BMC" power and boot device of one QEMU VM.
#   bmc-ctl.sh <vm-dir> <kcs-port> get <parm>...          prints "<parm>:<value>" per parm
#   bmc-ctl.sh <vm-dir> <kcs-port> set <parm> <val> ...    prints nothing on success
# ipmi_sim runs "get power", "get boot", "set power 1|0", "set reset 1", "set boot pxe|default|…".
# With chassis_control, ipmi_sim's own startcmd is not used for power, so this helper starts QEMU
# itself, choosing -boot order from the stored boot device (what `chassis bootdev` set): that is how a
# one-time PXE request changes what the VM does. <vm-dir> holds mac (the NIC's MAC) and tftp (a folder
# with boot.ipxe) and optionally memory (MiB); the helper writes qemu.pid, serial.log, qemu.err and boot.
D=$1; KCS=$2; op=$3; shift 3
alive() { p=$(cat "$D/qemu.pid" 2>/dev/null) || return 1
  s=$(ps -o stat= -p "$p" 2>/dev/null) || return 1; case $s in Z*|"") return 1;; esac; }
vm_stop() { alive || return 0; kill -TERM "$p"; i=0
  while alive && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
  alive && kill -KILL "$p"; rm -f "$D/qemu.pid"; }
vm_start() { alive && return 0
  # Without a PXE request the NIC gets no option ROM: SeaBIOS would otherwise fall back to iPXE after
  # the (absent) disk, and a VM that network-boots would prove nothing about the boot device.
  rom=",romfile="
  case $(cat "$D/boot" 2>/dev/null) in pxe) o=n; rom="";; cdrom) o=d;; *) o=c;; esac
  # A one-time request: the next start boots from the disk again (what "Once" means on a real BMC).
  echo default > "$D/boot"
  rm -f "$D/qemu.pid"
  # -nographic routes SeaBIOS/iPXE text to the serial port; it cannot be combined with -daemonize,
  # so background with setsid and keep stdio off ipmi_sim's popen pipe (else ipmi_sim blocks).
  setsid qemu-system-x86_64 -accel tcg -m "$(cat "$D/memory" 2>/dev/null || echo 256)" -nographic -no-reboot -monitor none \
    -pidfile "$D/qemu.pid" -netdev "user,id=n0,tftp=$(cat "$D/tftp"),bootfile=boot.ipxe" \
    -device "e1000,netdev=n0,mac=$(cat "$D/mac")$rom" -boot "order=$o" \
    -chardev "file,id=ser0,path=$D/serial.log,append=on" -serial chardev:ser0 \
    -chardev "socket,id=ipmi0,host=127.0.0.1,port=$KCS,reconnect=10" \
    -device ipmi-bmc-extern,chardev=ipmi0,id=bmc0 -device isa-ipmi-kcs,bmc=bmc0 \
    >>"$D/qemu.err" 2>&1 </dev/null &
  i=0; while [ ! -s "$D/qemu.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; }
case $op in
get) for parm in "$@"; do case $parm in
       power) if alive; then echo power:1; else echo power:0; fi;;
       boot) b=$(cat "$D/boot" 2>/dev/null); echo "boot:${b:-default}";;
       *) echo "Invalid parameter: $parm"; exit 1;; esac; done;;
set) while [ $# -ge 2 ]; do parm=$1; val=$2; shift 2; case $parm in
       power) if [ "$val" = 1 ]; then vm_start; else vm_stop; fi;;
       reset) vm_stop; vm_start;;
       shutdown) vm_stop;;
       boot) case $val in none|pxe|default|cdrom|bios) echo "$val" > "$D/boot";;
               *) echo "Invalid boot value: $val"; exit 1;; esac;;
       identify) ;;
       *) echo "Invalid parameter: $parm"; exit 1;; esac; done;;
*) echo "bad op $op"; exit 1;;
esac
exit 0
