using System.Diagnostics;
using DiMml.Torch.Data;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>
/// The epoch loop every procedure shares: seeded batch order, one dispose scope per step, SGD with momentum
/// and weight decay under StepLR, row-weighted loss means, training accuracies, history and progress callback
/// (<paramref name="report"/> false keeps auxiliary runs, such as cross-fitting, out of the progress callback).
/// </summary>
internal sealed class SgdRun(TrainerOptions options, Device device, TrainingHistory history, bool report = true)
{
    /// <summary>Trains the parameters of <paramref name="plan"/> for its epochs.</summary>
    /// <param name="plan">The stage: what to train, on which rows, with which loss, and its hooks.</param>
    public void Run(StagePlan plan)
    {
        var (stage, epochs, data, parameters, module, step) = plan;
        using var best = new BestEpoch(module);
        var trained = parameters.ToList();
        var gradients = new GradientCheck(module, trained);
        using var optimizer = new ScalarSafeSgd(trained, options.LearningRate, options.Momentum, options.WeightDecay);
        var scheduler = optim.lr_scheduler.StepLR(optimizer, options.LearningRateStepSize, options.LearningRateDecay);
        var first = 0;
        if (plan.Resume is { } point)
        {
            Checkpoints.LoadOptimizer(optimizer, point.OptimizerState);

            // The restored state may carry an already-decayed rate; replaying the schedule from the start rate gives it exactly once.
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = options.LearningRate;
            }

            for (first = 0; first < point.FirstEpoch; first++)
            {
                scheduler.step();
            }

            best.Resume(history.Of(stage).Where(r => r.Epoch < first), first - 1, options.SelectBestOnValidation, point.LoadBestWeights);
        }

        // The patience check sits in the loop condition, so a run stopped early and resumed right after does not go on.
        for (var epoch = first; epoch < epochs && !PatienceRanOut(best, epoch - 1); epoch++)
        {
            var watch = Stopwatch.StartNew();
            var setSizes = plan.BeforeEpoch?.Invoke(epoch);
            module.train();
            var learningRate = optimizer.ParamGroups.First().LearningRate;
            var (losses, accuracy) = RunEpoch(new EpochContext(stage, epoch, data, optimizer, step, plan.Augmented, gradients));
            scheduler.step();
            var validation = plan.Validate?.Invoke();
            var record = new EpochRecord(stage, epoch, learningRate, losses, accuracy, setSizes,
                watch.Elapsed)
            { ValidationAccuracy = validation };
            history.Add(record);
            var improved = validation is { } score && best.Offer(score, epoch, options.SelectBestOnValidation);
            plan.Checkpoint?.Invoke(epoch, optimizer, improved);
            if (report)
            {
                options.EpochCompleted?.Invoke(record);
            }
        }

        best.Restore();
    }

    private bool PatienceRanOut(BestEpoch best, int lastEpoch) =>
        best.Epoch >= 0 && options.EarlyStoppingPatience is { } patience && lastEpoch - best.Epoch >= patience;

    /// <summary>The best validation epoch so far and, when selecting, a copy of the module's weights at that epoch.</summary>
    private sealed class BestEpoch(nn.Module module) : IDisposable
    {
        private Dictionary<string, Tensor>? weights;
        private double score = double.NegativeInfinity;

        public int Epoch { get; private set; } = -1;

        // On improvement: remember the epoch and, when selecting, a copy of the weights; says whether it improved.
        public bool Offer(double value, int epoch, bool keepWeights)
        {
            if (value <= score)
            {
                return false;
            }

            score = value;
            Epoch = epoch;
            if (keepWeights)
            {
                Dispose();
                weights = Copy();
            }

            return true;
        }

        // After a resume: the best score and epoch from the restored records, and, when selecting, that epoch's weights
        // (the network's own when it is the checkpoint's epoch, else best-{stage}.bin's), so that an interrupted run
        // returns the model an uninterrupted one would.
        public void Resume(IEnumerable<EpochRecord> records, int lastEpoch, bool keepWeights, Action<int> loadBestWeights)
        {
            foreach (var record in records.OrderBy(r => r.Epoch))
            {
                if (record.ValidationAccuracy is { } value && value > score)
                {
                    score = value;
                    Epoch = record.Epoch;
                }
            }

            if (!keepWeights || Epoch < 0)
            {
                return;
            }

            var current = Copy();
            if (Epoch == lastEpoch)
            {
                weights = current;
                return;
            }

            try
            {
                loadBestWeights(Epoch);
                weights = Copy();
            }
            finally
            {
                module.load_state_dict(current);
                foreach (var tensor in current.Values)
                {
                    tensor.Dispose();
                }
            }
        }

        private Dictionary<string, Tensor> Copy() =>
            module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());

        public void Restore()
        {
            if (weights is not null)
            {
                module.load_state_dict(weights);
            }
        }

        public void Dispose()
        {
            foreach (var tensor in weights?.Values ?? Enumerable.Empty<Tensor>())
            {
                tensor.Dispose();
            }

            weights = null;
        }
    }

    /// <summary>What one epoch of a stage runs with.</summary>
    private sealed record EpochContext(
        TrainingStage Stage, int Epoch, IBatchSource Data, ScalarSafeSgd Optimizer, TrainingStep Step,
        IReadOnlyList<ModalityOptions>? Augmented, GradientCheck Gradients);

    private (Dictionary<string, double> Losses, Dictionary<string, double> Accuracy) RunEpoch(EpochContext context)
    {
        var (stage, epoch, data, optimizer, step, augmented, gradients) = context;

        // A generator of its own per epoch: the draws differ between epochs and do not depend on the batch order's.
        using var augmentation = new Generator(BatchOrder.Mix(~options.RunSeed, epoch));
        var lossSums = new Dictionary<string, double>();
        var correct = new Dictionary<string, double>();
        var totalWeight = 0.0;
        using var order = BatchOrder.Permutation(data.Count, (long)options.RunSeed * 31 + (int)stage, epoch);
        var stepIndex = 0;
        BatchOrder.ForEachScoped(data.Batches(order, options.BatchSize, device), batch =>
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            optimizer.zero_grad();
            var result = step(batch with { Inputs = Augment(batch.Inputs, augmented, augmentation) }, epoch);
            if (!result.GradientsComputed)
            {
                result.Total.backward();
            }

            var termValues = ReadTerms(result, gradients, $"stage {stage}, epoch {epoch}, step {stepIndex++}");
            optimizer.step();
            // Epoch means weigh each row by its example weight, as the losses do.
            var batchWeight = batch.Weights is { } w ? w.sum().item<float>() : batch.Labels.shape[0];
            totalWeight += batchWeight;
            foreach (var (name, value) in termValues)
            {
                lossSums[name] = lossSums.GetValueOrDefault(name) + value * batchWeight;
            }

            foreach (var (name, logits) in result.Logits)
            {
                var hits = logits.argmax(1).eq(batch.Labels);
                correct[name] = correct.GetValueOrDefault(name)
                    + (batch.Weights is { } weights ? hits.to(ScalarType.Float32).mul(weights).sum().item<float>()
                        : hits.sum().item<long>());
            }
        });

        return (lossSums.ToDictionary(p => p.Key, p => p.Value / totalWeight),
            correct.ToDictionary(p => p.Key, p => p.Value / totalWeight));
    }

    private static Tensor[] Augment(Tensor[] inputs, IReadOnlyList<ModalityOptions>? modalities, Generator generator) =>
        modalities is null
            ? inputs
            : inputs.Select((x, m) =>
                modalities[m].Augmentation.Enabled ? modalities[m].Augmentation.Apply(x, modalities[m].Shape!, generator) : x).ToArray();

    // One device-to-host copy per step for the terms and a gradient checksum; a non-finite loss or gradient stops
    // training before the weights change, so the checkpoints written so far hold the last good state.
    private static List<(string Name, double Value)> ReadTerms(StepResult result, GradientCheck gradients, string where)
    {
        var tensors = result.Terms.Select(t => t.Value.detach().reshape(1))
            .Append(result.Total.detach().reshape(1))
            .Append(gradients.Checksum().reshape(1))
            .ToArray();
        using var values = cat(tensors, 0).to(ScalarType.Float64).cpu();
        var numbers = values.data<double>().ToArray();
        var named = result.Terms.Select((t, i) => (t.Name, numbers[i])).Append((TermNames.Total, numbers[^2])).ToList();
        if (!double.IsFinite(numbers[^2]))
        {
            var terms = string.Join(", ", named.Select(t => $"{t.Item1}={t.Item2}"));
            throw new InvalidOperationException(
                $"Training stopped: the loss became non-finite in {where} ({terms}); the weights were not updated and earlier " +
                $"checkpoints are intact. Likely causes: {GradientCheck.LikelyCauses}");
        }

        if (!double.IsFinite(numbers[^1]))
        {
            gradients.ThrowNonFinite(where);
        }

        return named;
    }
}
