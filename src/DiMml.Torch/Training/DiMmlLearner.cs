using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Losses;
using DiMml.Torch.Modules;
using DiMml.Torch.Runtime;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>
/// Trains DI-MML. Stage 1: every encoder with its own modality-head CE, plus λ·CE of the shared head on each
/// modality, plus μ·DUC from the DUC start epoch (effective dimensions computed at that epoch). Stage 2: the
/// fusion head on the frozen encoders' features. The model predicts with the fusion <see cref="DiMmlOptions.Inference"/> asks
/// for: by default chosen on rows held out of stage 1 (then, after a fit-free choice, stage 1 again on all rows).
/// </summary>
public sealed class DiMmlLearner
{
    private readonly DiMmlOptions options;

    /// <summary>Creates the learner.</summary>
    /// <param name="options">Training settings; validated against the data in <see cref="Fit"/>.</param>
    public DiMmlLearner(DiMmlOptions options) => this.options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Runs both stages on <paramref name="train"/> and returns the trained model (the caller disposes it).</summary>
    /// <param name="train">Training rows, one feature tensor per modality in <see cref="TrainerOptions.Modalities"/> order.</param>
    /// <param name="validation">Optional validation rows for model selection and early stopping (stage 1 is scored by the
    /// certainty-weighted modality heads, stage 2 by the fusion head).</param>
    public MultimodalModel Fit(IBatchSource train, IBatchSource? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (options.Seed is null)
        {
            return new DiMmlLearner(options.Resolved<DiMmlOptions>()).Fit(train, validation);
        }

        options.Validate(train.ModalityCount);
        using var threads = ThreadScope.Apply(options.NumberOfThreads);
        var device = options.ResolveDevice();
        var network = NetworkBuilder.Build(options, train, options.FusionHead, device);
        if (!options.HoldsOutRows)
        {
            return NetworkBuilder.DisposeOnFailure(network, () => Train(network, train, validation, null, device));
        }

        if (validation is not null)
        {
            return NetworkBuilder.DisposeOnFailure(network, () => Train(network, train, validation, validation, device));
        }

        MultimodalModel chosen;
        using (var split = HeldOutSplit.Stratified(train, options.CalibrationFraction, options.RunSeed, options.CancellationToken))
        {
            chosen = NetworkBuilder.DisposeOnFailure(network, () => Train(network, split.Train, null, split.HeldOut, device));
        }

        return options.Refits(chosen.Selection!.Chosen) ? Refit(chosen, train, device) : chosen;
    }

    // Stage 1 and the paper's stage 2 again on every row, from the same seed (so the same initialisation and shuffles), scored
    // with the fusion, temperatures and combiner chosen on the held-out rows. The refit checkpoints to its own sub-folder.
    // The fusion head is trained the paper's way on all rows, whichever variant the held-out model kept.
    private MultimodalModel Refit(MultimodalModel chosen, IBatchSource train, Device device)
    {
        var selection = chosen.Selection!;
        chosen.Dispose();   // only the choice is kept: one network in memory at a time
        var refit = options.ForRefit();
        var network = NetworkBuilder.Build(refit, train, refit.FusionHead, device);
        var model = NetworkBuilder.DisposeOnFailure(network, () => new DiMmlLearner(refit).Train(network, train, null, null, device));
        return new MultimodalModel(model.Network, model.Kind, model.ModalityNames, model.History, model.Dimensions,
            selection.Chosen.Weighting, device)
        { Selection = selection.AfterRefit() };
    }

    // heldOut: rows stage 1 never trains on, for calibration and the fusion choice; null for the paper's fusion.
    private MultimodalModel Train(MultimodalNetwork network, IBatchSource train, IBatchSource? validation, IBatchSource? heldOut,
        Device device)
    {
        var names = options.Modalities.Select(m => m.Name).ToArray();
        var history = new TrainingHistory();
        var run = new SgdRun(options, device, history);
        var duc = new DucLoss(options.DucTemperature);
        var checkpoints = new CheckpointPlan(options, network, history);
        var dimensions = checkpoints.Resumed?.Dimensions;

        IReadOnlyDictionary<string, int>? BeforeEpoch(int epoch)
        {
            if (!IsDimensionEpoch(epoch))
            {
                return null;
            }

            using var scope = NewDisposeScope();
            var encoded = FeatureExtraction.Encode(network, train, device, options.CancellationToken);
            dimensions = EffectiveDimensions.Compute(encoded.Features, encoded.Labels, train.ClassCount, options.DimensionChunkElements,
                encoded.Weights);
            return dimensions.SetSizes(names);
        }

        var parameters = NetworkBuilder.EncoderParameters(network)
            .Concat(network.ModalityHeads.SelectMany(h => h.parameters()))
            .Concat(options.SharedHeadWeight > 0 ? network.SharedHead.parameters() : []);
        if (!checkpoints.Done(TrainingStage.Detached))
        {
            using var workers = ModalityWorkers.TryCreate(options.ParallelModalities, device, names.Length);
            var parallel = workers is null ? null : new ParallelDetachedStep(network, options, duc, workers);
            StepResult Step(Batch batch, int epoch)
            {
                var active = epoch >= options.ResolvedDucStartEpoch ? dimensions : null;
                return parallel?.Run(names, active, batch) ?? DetachedStep(network, names, duc, active, batch);
            }

            var stage = new StagePlan(TrainingStage.Detached, options.Epochs, train, parameters, network, Step)
            {
                BeforeEpoch = BeforeEpoch,
                Augmented = [.. options.Modalities],
                Validate = Validation.Scorer(validation, device, network, inputs =>
                    new CertaintyWeighting(options.CertaintyTemperature).Fuse(network.ModalityLogits(network.Encode(inputs))).Logits,
                    options.CancellationToken),
            };
            run.Run(checkpoints.Around(stage, () => dimensions));
        }

        var kind = options.Inference == InferenceFusion.FusionHeadOnly ? ModelKind.FusionHeadOnly : ModelKind.DiMml;
        if (heldOut is null)
        {
            if (network.FusionHead is not null)
            {
                new FusionStage(network, options, device, run, checkpoints, () => dimensions).Train(train, validation);
            }

            return new MultimodalModel(network, kind, names, history, dimensions, new CertaintyWeighting(options.CertaintyTemperature),
                device);
        }

        string[] branches = network.FusionHead is null ? names : [.. names, MultimodalModel.FusionBranchName];
        var selection = new FusionStage(network, options, device, run, checkpoints, () => dimensions)
            .Calibrate(branches, train, validation == heldOut ? null : validation, heldOut);
        return new MultimodalModel(network, kind, names, history, dimensions, selection.Chosen.Weighting, device) { Selection = selection };
    }

    private bool IsDimensionEpoch(int epoch)
    {
        var start = options.ResolvedDucStartEpoch;
        if (options.DucWeight <= 0 || epoch < start)
        {
            return false;
        }

        return epoch == start || (options.DimensionRefreshInterval is { } every && (epoch - start) % every == 0);
    }

    internal StepResult DetachedStep(
        MultimodalNetwork network, string[] names, DucLoss duc, EffectiveDimensions? dimensions, Batch batch)
    {
        var (labels, weights) = (batch.Labels, batch.Weights);
        var features = network.Encode(batch.Inputs);
        var modalityLogits = network.ModalityLogits(features);
        var terms = new List<(string, Tensor)>();
        var logits = new List<(string, Tensor)>();
        var total = zeros(Array.Empty<long>(), device: labels.device);
        for (var m = 0; m < names.Length; m++)
        {
            var loss = WeightedLoss.CrossEntropy(modalityLogits[m], labels, weights);
            terms.Add((TermNames.BranchLoss(names[m]), loss));
            logits.Add((TermNames.BranchAccuracy(names[m]), modalityLogits[m]));
            total = ScalarMath.Add(total, loss);
        }

        if (options.SharedHeadWeight > 0)
        {
            var sharedLogits = network.SharedLogits(features);
            for (var m = 0; m < names.Length; m++)
            {
                var loss = WeightedLoss.CrossEntropy(sharedLogits[m], labels, weights);
                terms.Add((TermNames.Shared(names[m]), loss));
                logits.Add((TermNames.Shared(names[m]), sharedLogits[m]));
                total = ScalarMath.Add(total, ScalarMath.Multiply(loss, options.SharedHeadWeight));
            }
        }

        if (dimensions is not null)
        {
            var loss = duc.Forward(features, dimensions, weights);
            terms.Add((TermNames.Duc, loss));
            total = ScalarMath.Add(total, ScalarMath.Multiply(loss, options.DucWeight));
        }

        return new StepResult(total, terms, logits);
    }
}
