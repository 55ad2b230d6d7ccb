#!/usr/bin/env bash
# The bash completion of holdfast (tools/completion/holdfast), driven as bash drives it (COMP_WORDS,
# COMP_CWORD, then COMPREPLY), with a stand-in `holdfast` on PATH whose `status --output-as xml`
# answers as a daemon would; and once with a `holdfast` that finds no daemon.
# usage: completion.sh COMPLETION_SCRIPT
set -euo pipefail
script=$1
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cat >"$bin/holdfast" <<'XML'
#!/bin/sh
[ "$1 $2 $3" = "status --output-as xml" ] || exit 2
cat <<'END'
<holdfast-status version="1">
  <summary stack="corosync" dc="node1" dc-id="1" have-quorum="true"/>
  <nodes>
    <node name="node1" id="1" type="member" online="true" standby="false"/>
    <node name="node2" id="2" type="member" online="true" standby="false"/>
  </nodes>
  <resources>
    <resource id="vm1" parent="" agent="ocf:holdfast:VirtualMachine" role="Started" managed="true">
      <node name="ghost"/>
    </resource>
    <resource id="disk:0" parent="disks" agent="ocf:holdfast:SharedDisk" role="Started" managed="true">
      <node name="node1"/>
    </resource>
    <resource id="disk:1" parent="disks" agent="ocf:holdfast:SharedDisk" role="Started" managed="true">
    </resource>
  </resources>
</holdfast-status>
END
XML
chmod +x "$bin/holdfast"

failures=0
# complete WORDS... EXPECTED: completes the last word of WORDS; EXPECTED is the sorted replies.
check() {
    local expected=${!#} words=("${@:1:$#-1}")
    COMP_WORDS=("${words[@]}")
    COMP_CWORD=$((${#words[@]} - 1))
    COMPREPLY=()
    _holdfast
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' ')
    if [ "$got" != "$expected" ]; then
        echo "completion: '${words[*]}' gave '$got', not '$expected'" >&2
        failures=$((failures + 1))
    fi
}

# shellcheck source=/dev/null
source "$script"
[ "$(complete -p holdfast)" = "complete -F _holdfast holdfast" ] || { echo "completion: not registered" >&2; exit 1; }

PATH=$bin:$PATH
check holdfast "" "--help --version cib cluster configure fence help history maintenance node report resource simulate status verify version"
check holdfast res "resource"
check holdfast re "report resource"
check holdfast resource m "maintenance manage meta move"
check holdfast resource move "" "disks vm1"
check holdfast resource move vm1 "" "node1 node2"
check holdfast resource move vm1 --l "--lifetime"
check holdfast resource failcount disks "" "delete show"
check holdfast resource maintenance vm1 "" "off on"
check holdfast node standby "" "node1 node2"
check holdfast configure load "" "replace update"
check holdfast status --output-as "" "json text xml"
check holdfast fence n "node1 node2"
check holdfast fence confirm node2 --f "--force"
check holdfast fence test --action "" "off on reboot status"
check holdfast cluster "" "init join remove start status stop"
check holdfast cluster stop --f "--force"
check holdfast cluster status --output-as "" "json text xml"
check holdfast cib "" "show"
check holdfast history --s "--since --socket"
check holdfast history --output-as "" "json text xml"
check holdfast report --since "" "1d 1h 1w 2h 30m today yesterday"
check holdfast report --since 1h --d "--dest"

# No daemon: no names, no error output.
printf '#!/bin/sh\necho "holdfast: cannot connect to holdfastd" >&2\nexit 1\n' >"$bin/holdfast"
check holdfast node online "" ""
check holdfast resource "" "ban cleanup clear constraints failcount locate maintenance manage meta move param refresh restart scores start stop trace unmanage untrace utilization"

[ "$failures" -eq 0 ] || exit 1
echo "completion: all cases complete as expected"
