#!/usr/bin/env python3
"""Which parts of a mapped ELF file are resident in a process.

    scripts/resident-by-section.py PID FILE

Reads /proc/PID/maps and /proc/PID/pagemap (root) and attributes each resident page
of FILE's mappings to the ELF section covering its file offset (`readelf -S`), largest
first. `vigil-bench idle` says how much of each file is resident; this says which part
of it: code, symbol tables, relocations, read-only data. Pages are counted where the
kernel mapped them, which includes the neighbours it maps around each fault.
"""
import os
import re
import struct
import subprocess
import sys

PAGE = os.sysconf("SC_PAGE_SIZE")


def sections(path):
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m and m.group(2) != "NOBITS" and int(m.group(4), 16) > 0:
            found.append((m.group(1), int(m.group(3), 16), int(m.group(4), 16)))
    return found


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pid, path = sys.argv[1], os.path.realpath(sys.argv[2])
    table = sections(path)
    resident = {}
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in maps:
            fields = line.split()
            if len(fields) < 6 or os.path.realpath(fields[5]) != path:
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            offset = int(fields[2], 16)
            for address in range(start, end, PAGE):
                pagemap.seek(address // PAGE * 8)
                if not struct.unpack("<Q", pagemap.read(8))[0] >> 63:
                    continue
                file_offset = offset + address - start
                owner = next((name for name, at, size in table if at < file_offset + PAGE and file_offset < at + size),
                             "(between sections)")
                resident[owner] = resident.get(owner, 0) + PAGE
    for name, size in sorted(resident.items(), key=lambda item: -item[1]):
        print(f"{size / 1048576:8.2f} MB  {name}")
    print(f"{sum(resident.values()) / 1048576:8.2f} MB  total")


if __name__ == "__main__":
    main()
