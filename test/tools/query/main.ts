import { displaySafe } from '../../../lambdas/audit/util/display-text';
import { runQueryCli } from './query-cli';

runQueryCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
}).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${displaySafe(String(error), 1000)}\n`);
    process.exitCode = 2;
  },
);
