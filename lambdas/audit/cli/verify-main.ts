import { runVerify } from './verify-cli';
import { displaySafe } from '../util/display-text';

runVerify(process.argv.slice(2), process.env, {
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
