import { exec } from 'child_process';
import * as child from 'node:child_process';

export function convert(input: string): void {
  // ruleid: qeflow.javascript.command-injection
  exec('convert ' + input + ' out.png');
  // ruleid: qeflow.javascript.command-injection
  child.execSync(`rm -rf ${input}`);
  // ok: qeflow.javascript.command-injection
  child.execSync('ls');
}
