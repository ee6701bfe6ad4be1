import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second for /proc/<pid>/stat (sysconf(_SC_CLK_TCK) is 100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

/** User + system CPU seconds a process (all its threads) has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] and fields[12] are utime and stime (the 14th and 15th fields of the whole line)
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** CPU seconds of `pid`'s children that have ended and been waited for (cutime + cstime): short-lived helpers. */
export function endedChildrenCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

/** The processes whose parent is `pid` (nginx workers of a master). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/** Every process under `pid`: children, theirs (nginx workers under a master under the control plane), and so on. */
export function descendantPids(pid: number): number[] {
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0;) {
    const children = childPids(queue.shift()!);
    found.push(...children);
    queue.push(...children);
  }
  return found;
}
