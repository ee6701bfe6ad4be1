// CPU time a child process has used, from Linux's /proc (the transcoder's share of the machine, for
// the stream's status). Elsewhere, or once the process is gone, there is no figure: null.
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc/<pid>/stat's times, 100 on every Linux port that runs Node. */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of `pid` in seconds, or null. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (which may hold spaces, in parentheses): utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
