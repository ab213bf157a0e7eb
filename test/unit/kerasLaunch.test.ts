// The exported project's launch files and Python, checked without running
// them: slurm.sbatch passes `bash -n`, k8s-job.yaml parses as YAML and runs
// the same train.py command as the sbatch script and the README, and every
// Python file compiles, with run_folder.py's file names ResNet Lab's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import * as tf from '@tensorflow/tfjs';
import { K8S_JOB, projectReadme, SLURM_SBATCH, TRAIN_ARGS } from '../../src/core/export/kerasLaunch';
import { pythonSources } from '../../src/core/export/pythonSources';
import {
  CHECKPOINT_FILES,
  CHECKPOINTS,
  DISTRIBUTIONS,
  GRADIENTS,
  METRICS,
  RUN_JSON,
} from '../../src/core/runs/runFiles';
import { tempDir } from '../support/tempDir';

const COMMAND = ['python', 'train.py', ...TRAIN_ARGS];

test('slurm.sbatch is valid bash and runs train.py with the launchers’ arguments under srun', (t) => {
  const tmp = tempDir('launch', t);
  const file = path.join(tmp, 'slurm.sbatch');
  fs.writeFileSync(file, SLURM_SBATCH);
  const p = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  const srun = SLURM_SBATCH.split('\n').find((l) => l.startsWith('srun '));
  assert.ok(srun?.includes(` ${COMMAND.join(' ')} "$@"`), srun);
  assert.match(SLURM_SBATCH, /^#SBATCH --signal=TERM@120$/m); // time to checkpoint before the limit
  assert.match(SLURM_SBATCH, /^export KERAS_BACKEND=jax$/m);
});

test('k8s-job.yaml parses as YAML: an indexed Job whose pods run the same command, and its headless Service', () => {
  const docs = parseAllDocuments(K8S_JOB).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
  });
  assert.deepEqual(
    docs.map((d) => d.kind),
    ['Service', 'Job'],
  );
  const job = docs[1].spec as {
    completionMode: string;
    completions: number;
    template: {
      spec: {
        subdomain: string;
        containers: { command: string[]; env: { name: string; value?: string }[] }[];
        terminationGracePeriodSeconds: number;
      };
    };
  };
  assert.equal(job.completionMode, 'Indexed');
  const pod = job.template.spec;
  assert.equal(pod.subdomain, docs[0].metadata.name); // the Service that names resnet-lab-0.resnet-lab
  const command = pod.containers[0].command;
  assert.deepEqual(command.slice(0, COMMAND.length), COMMAND);
  const flag = (name: string) => command[command.indexOf(name) + 1];
  assert.equal(flag('--coordinator'), `${docs[1].metadata.name}-0.${docs[0].metadata.name}:1234`);
  assert.equal(Number(flag('--num-processes')), job.completions);
  assert.equal(flag('--process-id'), '$(JOB_INDEX)');
  assert.ok(pod.containers[0].env.some((e) => e.name === 'JOB_INDEX'));
  assert.ok(pod.terminationGracePeriodSeconds >= 120);
});

test('the exported README runs the same command, says how to train on a GPU, and to take the loss from the logits', () => {
  const input = tf.input({ shape: [4] });
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor });
  const readme = projectReadme(model, { experiment: 'e', weightsFrom: 'initial', endsInSoftmax: true });
  assert.ok(readme.includes(`${COMMAND.join(' ')} --coordinator host0:1234 --num-processes 2 --process-id $i`));
  assert.match(readme, /## Train on a GPU/);
  assert.match(readme, /pip install keras "jax\[cuda12\]"/);
  assert.match(readme, /build_model\(logits=True\)/);
  assert.ok(!projectReadme(model, { experiment: 'e', weightsFrom: 'w', endsInSoftmax: false }).includes('logits=True'));
});

test('the exported Python compiles, and run_folder.py names the run folder’s files as ResNet Lab does', (t) => {
  const sources = pythonSources();
  const tmp = tempDir('py', t);
  for (const [name, text] of Object.entries(sources)) fs.writeFileSync(path.join(tmp, name), text);
  const p = spawnSync('python3', ['-m', 'py_compile', ...Object.keys(sources).map((n) => path.join(tmp, n))], {
    encoding: 'utf8',
  });
  assert.equal(p.status, 0, p.stderr);
  const names =
    /RUN_JSON, METRICS, GRADIENTS, CHECKPOINTS = (.*)\nMODEL_JSON, WEIGHTS_BIN, OPTIMIZER_BIN, STATE_JSON = (.*)\n/.exec(
      sources['run_folder.py'],
    );
  assert.ok(names, 'run_folder.py declares its file names');
  const literals = (s: string) => s.split(', ').map((v) => JSON.parse(v) as string);
  assert.deepEqual(literals(names[1]), [RUN_JSON, METRICS, GRADIENTS, CHECKPOINTS]);
  assert.deepEqual(literals(names[2]), [
    CHECKPOINT_FILES.model,
    CHECKPOINT_FILES.weights,
    CHECKPOINT_FILES.optimizer,
    CHECKPOINT_FILES.state,
  ]);
  assert.match(sources['run_folder.py'], new RegExp(`^DISTRIBUTIONS = "${DISTRIBUTIONS}"$`, 'm'));
});
