using DiMml.Torch.Calibration;
using DiMml.Torch.Data;
using DiMml.Torch.Losses;
using DiMml.Torch.Modules;
using DiMml.Torch.Training;
using static TorchSharp.torch;

namespace DiMml.Torch.Inference;

/// <summary>
/// A trained network with what is needed to predict: the procedure that trained it, the modality names,
/// the certainty weighting (DI-MML), the effective-dimension sets and the training history.
/// </summary>
public sealed class MultimodalModel : IDisposable
{
    internal MultimodalModel(
        MultimodalNetwork network,
        ModelKind kind,
        IReadOnlyList<string> modalityNames,
        TrainingHistory history,
        EffectiveDimensions? dimensions,
        CertaintyWeighting weighting,
        Device device)
    {
        Network = network;
        Kind = kind;
        ModalityNames = modalityNames;
        History = history;
        Dimensions = dimensions;
        Weighting = weighting;
        Device = device;
        BranchNames = kind switch
        {
            ModelKind.DiMml when network.FusionHead is not null => [.. modalityNames, FusionBranchName],
            ModelKind.DiMml or ModelKind.Unimodal => modalityNames,
            ModelKind.FusionHeadOnly when network.FusionHead is null => throw new ArgumentException("A fusion-head-only model needs a " +
                "fusion head.", nameof(kind)),
            _ => [FusionBranchName],
        };
    }

    /// <summary>Name of the fusion-head branch in <see cref="BranchNames"/> and reports.</summary>
    public const string FusionBranchName = "fusion";

    /// <summary>The trained modules.</summary>
    public MultimodalNetwork Network { get; }

    /// <summary>How the model predicts.</summary>
    public ModelKind Kind { get; }

    /// <summary>Modality names, in input order.</summary>
    public IReadOnlyList<string> ModalityNames { get; }

    /// <summary>Names of the prediction branches: the modalities (DI-MML, unimodal), then <c>fusion</c> when present.</summary>
    public IReadOnlyList<string> BranchNames { get; }

    /// <summary>Per-epoch record of the training run.</summary>
    public TrainingHistory History { get; }

    /// <summary>The last effective-dimension sets (DI-MML with DUC on); otherwise null.</summary>
    public EffectiveDimensions? Dimensions { get; }

    /// <summary>The certainty weighting used by DI-MML models (calibrated and restricted to the chosen branches when the
    /// fusion was fitted on held-out rows).</summary>
    public CertaintyWeighting Weighting { get; }

    /// <summary>The held-out calibration and fusion choice (calibrated or selected fusion); null for the paper's fusion.</summary>
    public FusionSelection? Selection { get; init; }

    /// <summary>The device the network lives on.</summary>
    public Device Device { get; }

    /// <summary>
    /// Predicts a batch. A modality whose input row holds a NaN is missing for that row: its modality branch and the
    /// fusion branch are dropped and the remaining weights renormalised (DI-MML); a model that needs the missing
    /// modality (joint, unimodal) gives NaN probabilities for that row.
    /// </summary>
    /// <param name="inputs">One <c>[B, F_m]</c> batch per modality, in <see cref="ModalityNames"/> order.</param>
    public MultimodalPrediction Predict(IReadOnlyList<Tensor> inputs) => PredictWith(inputs, Weighting);

    private MultimodalPrediction PredictWith(IReadOnlyList<Tensor> inputs, CertaintyWeighting weighting)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var (branches, availability) = BranchesOf(inputs);
        var (logits, weights) = weighting.Fuse(branches, availability);
        var prediction = new MultimodalPrediction(
            logits.softmax(1).MoveToOuterDisposeScope(),
            weighting.Calibrate(branches).Select(b => b.MoveToOuterDisposeScope()).ToArray(),
            weights.MoveToOuterDisposeScope());
        return prediction;
    }

    /// <summary>Accuracy of the fused prediction and of every branch, batch by batch.</summary>
    /// <param name="data">Labelled rows with the model's modalities.</param>
    /// <param name="batchSize">Rows per forward pass.</param>
    /// <param name="weighting">Another fusion of this model's branches to evaluate (e.g. a <see cref="FusionSelection"/>
    /// candidate); null: the model's own <see cref="Weighting"/>.</param>
    /// <param name="cancellation">Checked before every batch.</param>
    public EvaluationReport Evaluate(IBatchSource data, int batchSize = 1024, CertaintyWeighting? weighting = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        double fusedCorrect = 0, total = 0;
        var branchCorrect = new double[BranchNames.Count];
        using var order = BatchOrder.Sequential(data.Count);
        BatchOrder.ForEachScoped(data.Batches(order, batchSize, Device), batch =>
        {
            cancellation.ThrowIfCancellationRequested();
            using var prediction = PredictWith(batch.Inputs, weighting ?? Weighting);
            fusedCorrect += Accuracy.Hits(prediction.Probabilities, batch);
            for (var k = 0; k < branchCorrect.Length; k++)
            {
                branchCorrect[k] += Accuracy.Hits(prediction.BranchLogits[k], batch);
            }

            total += Accuracy.Weight(batch);
        });

        total = Math.Max(1, total);
        var perBranch = BranchNames.Select((name, k) => (name, branchCorrect[k] / total)).ToDictionary(p => p.name, p => p.Item2);
        return new EvaluationReport(fusedCorrect / total, perBranch, data.Count);
    }

    /// <summary>Accuracy of each of several fusions of this model's branches on the same rows (e.g. every
    /// <see cref="FusionSelection"/> candidate), the network run once per batch.</summary>
    /// <param name="data">Labelled rows with the model's modalities.</param>
    /// <param name="weightings">The fusions to score.</param>
    /// <param name="cancellation">Checked before every batch.</param>
    public IReadOnlyList<double> FusedAccuracy(IBatchSource data, IReadOnlyList<CertaintyWeighting> weightings,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(weightings);
        var correct = new double[weightings.Count];
        double total = 0;
        using var order = BatchOrder.Sequential(data.Count);
        BatchOrder.ForEachScoped(data.Batches(order, 1024, Device), batch =>
        {
            cancellation.ThrowIfCancellationRequested();
            using var guard = no_grad();
            var (branches, availability) = BranchesOf(batch.Inputs);
            for (var w = 0; w < weightings.Count; w++)
            {
                correct[w] += Accuracy.Hits(weightings[w].Fuse(branches, availability).Logits.softmax(1), batch);
            }

            total += Accuracy.Weight(batch);
        });

        return correct.Select(c => c / Math.Max(1, total)).ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();

    // Every branch's logits for a batch (NaN rows mark a missing modality) and which branches each row has; in eval mode, in the
    // caller's dispose scope and no-grad guard.
    private (Tensor[] Branches, Tensor Availability) BranchesOf(IReadOnlyList<Tensor> inputs)
    {
        Network.eval();
        var onDevice = inputs.Select(x => x.to(Device)).ToArray();
        var modalityAvailable = CertaintyWeighting.ModalityAvailability(onDevice);
        var features = Network.Encode(onDevice.Select(x => x.nan_to_num(0.0, 0.0, 0.0)).ToArray());
        return Branches(features, modalityAvailable);
    }

    private (Tensor[] Branches, Tensor Availability) Branches(Tensor[] features, Tensor modalityAvailable)
    {
        switch (Kind)
        {
            case ModelKind.DiMml:
                var modalityLogits = Network.ModalityLogits(features);
                var hasFusion = Network.FusionHead is not null;
                var branches = hasFusion ? [.. modalityLogits, Network.FusionLogits(features)] : modalityLogits;
                return (branches, CertaintyWeighting.BranchAvailability(modalityAvailable, hasFusion));
            case ModelKind.Joint or ModelKind.FusionHeadOnly:
                return ([Network.FusionLogits(features)], modalityAvailable.all(1, keepdim: true));
            default:
                return ([Network.ModalityHeads[0].forward(features[0])], modalityAvailable);
        }
    }
}
