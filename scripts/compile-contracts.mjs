// Compiles contracts/*.sol offline with the pinned npm solc into contracts/build/<Name>.json
// (Hardhat-artifact shape: contractName, abi, bytecode, deployedBytecode, linkReferences, and
// solc's immutableReferences, which `keeper doctor` masks to compare deployed code).
// Idempotent: skipped when every output is newer than every source and this script.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const solc = require('solc');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'contracts');
const outDir = path.join(srcDir, 'build');

const sources = fs.readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort();
const newestSource = Math.max(
  fs.statSync(fileURLToPath(import.meta.url)).mtimeMs,
  ...sources.map((f) => fs.statSync(path.join(srcDir, f)).mtimeMs),
);
const outputs = sources.map((f) => path.join(outDir, f.replace(/\.sol$/, '.json')));
if (outputs.every((o) => fs.existsSync(o) && fs.statSync(o).mtimeMs >= newestSource)) process.exit(0);

const input = {
  language: 'Solidity',
  sources: Object.fromEntries(sources.map((f) => [f, { content: fs.readFileSync(path.join(srcDir, f), 'utf8') }])),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'shanghai',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode', 'evm.deployedBytecode'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    if (c.evm.bytecode.object.length === 0) continue; // interfaces
    const artifact = {
      contractName: name,
      sourceName: `contracts/${file}`,
      compiler: solc.version(),
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
      linkReferences: c.evm.bytecode.linkReferences,
      // AST id -> [{start, length}] byte ranges of the runtime code the constructor fills in.
      immutableReferences: c.evm.deployedBytecode.immutableReferences || {},
    };
    fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + '\n');
  }
}
console.log(`compiled ${sources.length} contract sources with solc ${solc.version()}`);
