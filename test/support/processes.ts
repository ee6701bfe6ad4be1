import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it: no ps or pgrep needed. */
interface ProcessInfo {
  pid: number;
  parent: number;
  state: string;
  commandLine: string;
}

function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const commandLine = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      found.push({ pid: Number(name), parent: Number(parent), state, commandLine });
    } catch {
      // it exited while we looked
    }
  }
  return found;
}

/** Living (not zombie) children of a process. */
export function childrenOf(pid: number): number[] {
  return processes()
    .filter((p) => p.parent === pid && p.state !== 'Z')
    .map((p) => p.pid);
}

/** Whether a process still runs (a zombie does not). */
export function isRunning(pid: number): boolean {
  return processes().some((p) => p.pid === pid && p.state !== 'Z');
}

/** nginx masters (living) whose command line names this prefix. */
export function nginxMasters(prefix: string): number[] {
  return processes()
    .filter((p) => p.state !== 'Z' && p.commandLine.startsWith('nginx: master process') && p.commandLine.includes(` -p ${prefix} `))
    .map((p) => p.pid);
}
