"""Run a command; print [wall seconds, its peak RSS in MB] as JSON on the last line of stdout.

    python bench/_measure_child.py COMMAND...

Used by bench/speed.py so that each measured program's memory is its own (wait4's rusage),
not the sum of everything the benchmark started.
"""

import json
import os
import subprocess
import sys
import time

started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - started
code = os.waitstatus_to_exitcode(status)
print(json.dumps([round(seconds, 3), round(usage.ru_maxrss / 1024, 1)]))
sys.exit(code)
