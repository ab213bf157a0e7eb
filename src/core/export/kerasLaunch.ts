// The exported project's README and launch files: one GPU, every GPU of a
// machine, several machines (jax.distributed), an sbatch script for Slurm and
// an indexed Kubernetes Job. All three launchers run the same train.py command
// (TRAIN_COMMAND), so a run started one way resumes another.
import type * as tfjs from '@tensorflow/tfjs';

/** The train.py arguments every launcher passes: a fixed run folder (a requeued job resumes it) and checkpoints between epochs. */
export const TRAIN_ARGS = ['--run-dir', 'runs/resnet-lab', '--checkpoint-every', '500'] as const;
export const COORDINATOR_PORT = 1234;
const TRAIN = `python train.py ${TRAIN_ARGS.join(' ')}`;

export const SLURM_SBATCH = `#!/usr/bin/env bash
# Trains this project on Slurm: one task per node, every GPU of each node.
#   sbatch slurm.sbatch                 # 2 nodes x 8 GPUs as below; change the #SBATCH lines to fit
#   sbatch slurm.sbatch --precision bf16   # extra arguments go to train.py
# jax.distributed reads the nodes, the process count and each task's index from Slurm's environment.
# Slurm sends SIGTERM 120 s before the time limit (and on preemption): train.py finishes its step,
# writes a checkpoint and exits; the run folder is fixed, so \`sbatch slurm.sbatch\` again (or
# --requeue after a preemption) continues the same run.
#SBATCH --job-name=resnet-lab
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --gpus-per-node=8
#SBATCH --cpus-per-task=16
#SBATCH --time=04:00:00
#SBATCH --signal=TERM@120
#SBATCH --requeue
#SBATCH --output=%x-%j.out
set -euo pipefail
cd "\${SLURM_SUBMIT_DIR:-.}"
export KERAS_BACKEND=jax
srun --kill-on-bad-exit=1 ${TRAIN} "$@"
`;

export const K8S_JOB = `# Trains this project on Kubernetes: an indexed Job of 2 pods (one per node, 8 GPUs each) and the
# headless Service through which pod 1 reaches pod 0, jax.distributed's coordinator.
#   kubectl apply -f k8s-job.yaml
# Put this project in the image (or a volume) at /project, and the runs on a shared volume at
# /project/runs. On eviction the kubelet sends SIGTERM: train.py checkpoints within the grace period
# and the Job's next pods resume the same run folder.
apiVersion: v1
kind: Service
metadata:
  name: resnet-lab
spec:
  clusterIP: None
  selector:
    job-name: resnet-lab
---
apiVersion: batch/v1
kind: Job
metadata:
  name: resnet-lab
spec:
  completionMode: Indexed
  completions: 2
  parallelism: 2
  backoffLimit: 4
  template:
    spec:
      subdomain: resnet-lab
      restartPolicy: Never
      terminationGracePeriodSeconds: 180
      containers:
        - name: train
          image: python:3.12   # an image with this project and: pip install keras "jax[cuda12]"
          workingDir: /project
          command:
            - python
            - train.py
${TRAIN_ARGS.map((a) => `            - "${a}"`).join('\n')}
            - --coordinator
            - resnet-lab-0.resnet-lab:${COORDINATOR_PORT}
            - --num-processes
            - "2"
            - --process-id
            - $(JOB_INDEX)
          env:
            - name: KERAS_BACKEND
              value: jax
            - name: JOB_INDEX
              valueFrom:
                fieldRef:
                  fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']
          resources:
            limits:
              nvidia.com/gpu: 8
          volumeMounts:
            - name: runs
              mountPath: /project/runs
      volumes:
        - name: runs
          persistentVolumeClaim:
            claimName: resnet-lab-runs
`;

export interface ReadmeInfo {
  experiment: string;
  weightsFrom: string;
  endsInSoftmax: boolean;
}

export function projectReadme(model: tfjs.LayersModel, info: ReadmeInfo): string {
  const logits = info.endsInSoftmax
    ? `
**Train from the logits.** \`build_model(logits=True)\` is the same model without its final softmax. A loss must read those logits: Keras on JAX clips probabilities before taking their log, and a deep net trained from \`SparseCategoricalCrossentropy()\` on the softmax output stops learning (ResNet-56 sat at a loss of 8.3 where the logits took it to 0.8).

\`\`\`python
model = load_weights(build_model(logits=True))
model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
\`\`\`
`
    : '';
  return `# ${model.name} (${info.experiment}), exported from ResNet Lab

- \`model.py\`: the network as Keras 3 code, one line per layer of the tfjs model; blocks read as in the paper: \`f\` is the residual branch F(x), \`shortcut\` the shortcut, \`y = layers.Add()([shortcut, f])\` the addition.
- \`weights.bin\`, \`weights.json\`: the weights (${info.weightsFrom}); \`load_weights(model)\` in \`model.py\` sets them.
- \`train.py\` (with \`recipe.py\`, \`engine_jax.py\`, \`engine_tf.py\`, \`data.py\`, \`run_folder.py\`), \`run_template.json\`, \`tfjs_model.json\`: ResNet Lab's recipe for this experiment on Keras 3's JAX or TensorFlow backend. It writes a ResNet Lab run folder (\`run.json\` with engine \`keras\`, \`metrics.jsonl\`, \`gradients.jsonl\`, checkpoints in the tfjs layers format) that the panel, \`resnet-lab report\` and \`resnet-lab lesion\` open. \`data/synthetic.npz\`: the generated data set, when the experiment uses it (CIFAR-10 binary and MNIST idx files are read from \`--data-dir\`).
- \`slurm.sbatch\`, \`k8s-job.yaml\`: the same training on a Slurm cluster and on Kubernetes.

Needs Python with Keras 3 and JAX (\`pip install keras jax\`; on NVIDIA GPUs \`pip install keras "jax[cuda12]"\`), or TensorFlow 2.16+ (\`pip install tensorflow\`).

\`\`\`python
from model import build_model, load_weights
model = load_weights(build_model())
probabilities = model(images, training=False)   # images: float32 [N, H, W, C], per-pixel mean subtracted as in training
\`\`\`
${logits}
## Training

\`\`\`sh
python train.py --runs-dir runs [--data-dir DIR] [--iterations N | --epochs N] [--seed N] [--precision bf16]
\`\`\`

JAX is used when it is installed (\`--backend tensorflow\` for TensorFlow). The step is one jit-compiled function; the learning-rate schedule, the global batch and the crops are the experiment's whatever the device count. Each step is started before the previous one's loss and error are read back for the curve, so the devices do not wait for Python between steps (not before an epoch's test, a checkpoint, a distribution sample or a stop, nor while the warm-up's lr depends on the last error); \`--lockstep\` (given to every process) reads every step before starting the next, for comparison. \`--seed\` other than the exported weights' seed draws new initial weights with Keras' initializers (export with \`resnet-lab export-keras --seed N\` for tfjs' own).

**Stopping and resuming.** SIGTERM or Ctrl-C finishes the steps under way (up to three more, as steps are started ahead; every process stops after the same step), writes a checkpoint and marks the run \`stopped\`; \`python train.py --resume RUN_DIR\` continues it on the same batches. \`--checkpoint-every N\` adds checkpoints between epochs; \`--stop-at N\` stops at an iteration. \`--run-dir DIR\` makes the run there the first time and resumes it after, which is what a requeued job wants.

## Train on a GPU

One GPU, or every GPU of one machine (the batch is split into one shard per GPU; \`CUDA_VISIBLE_DEVICES\` chooses them):

\`\`\`sh
pip install keras "jax[cuda12]"
python train.py --runs-dir runs                   # add --precision bf16 for bfloat16 compute (weights, loss and momentum stay float32)
\`\`\`

Measured on one NVIDIA H200 (synthetic CIFAR-shaped data, batch 128, fp32, this train.py): ResNet-20 about 23,000 images/s, ResNet-56 about 10,000 to 11,000, ResNet-110 about 5,200; data preparation overlaps the step (under 2% of the time waiting for it). The paper's 64k iterations of ResNet-110 take about 27 minutes there.

Several machines (jax.distributed; process 0 is the coordinator, every process runs every GPU of its machine, only process 0 writes the run folder, so put \`runs\` on a shared disk to follow the run live):

\`\`\`sh
# on host0 and host1, i = 0 and 1:
${TRAIN} --coordinator host0:${COORDINATOR_PORT} --num-processes 2 --process-id $i
\`\`\`

- **Slurm**: \`sbatch slurm.sbatch\` (2 nodes × 8 GPUs; edit its \`#SBATCH\` lines). jax.distributed reads the cluster from Slurm's environment; \`--signal=TERM@120\` gives train.py two minutes to checkpoint before the time limit, and \`sbatch slurm.sbatch\` again continues the run.
- **Kubernetes**: \`kubectl apply -f k8s-job.yaml\`: an indexed Job of 2 pods and a headless Service; pod \`resnet-lab-0\` is the coordinator.
- **TensorFlow instead** (\`--backend tensorflow\`): tf.distribute.MultiWorkerMirroredStrategy, every local GPU, several machines through \`TF_CONFIG\` naming every worker and its own index. Batch norm then normalises each GPU's shard, where JAX's normalises the whole batch as one device would.

Batch statistics, the schedule and the crops do not depend on the number of devices on JAX: two devices take the same step as one on the whole batch (ResNet Lab's tests check it to 1e-5 on a model without batch norm).
`;
}
