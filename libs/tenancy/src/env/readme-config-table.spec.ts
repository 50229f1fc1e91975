import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiEnv, WorkerEnv } from './runtime.env';

// The README's configuration table is what operators read: it must name every variable the
// processes accept, and nothing they do not.
describe('README configuration table', () => {
  it('lists exactly the variables of ApiEnv and WorkerEnv', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../../../README.md'), 'utf8');
    const section = readme.split('## Configuration')[1].split('\n## ')[0];
    const documented = [...section.matchAll(/^\| `([A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]).sort();
    const accepted = [...new Set([...Object.keys(new ApiEnv()), ...Object.keys(new WorkerEnv())])].sort();
    expect(documented).toEqual(accepted);
  });
});
