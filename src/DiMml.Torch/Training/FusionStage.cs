using DiMml.Torch.Data;
using DiMml.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DiMml.Torch.Training;

/// <summary>
/// DI-MML stage 2: the fusion head trained with CE on the features of frozen encoders. Frozen encoders in eval
/// mode give the same features every epoch, so the features are computed once.
/// </summary>
internal static class FusionStage
{
    public static void Train(
        MultimodalNetwork network, IBatchSource train, IBatchSource? validation, Device device, DiMmlOptions options, SgdRun run, CheckpointPlan checkpoints,
        Losses.EffectiveDimensions? dimensions)
    {
        var head = network.FusionHead!;
        network.SetEncodersTrainable(false);
        using var scope = NewDisposeScope();
        var (features, labels) = FeatureExtraction.Encode(network, train, device);
        using var featureData = MultimodalDataset.FromTensors(features, labels, train.ClassCount);
        var (validationFeatures, validationLabels) = validation is null ? (null, null) : FeatureExtraction.Encode(network, validation, device);
        using var validationData = validationFeatures is null ? null : MultimodalDataset.FromTensors(validationFeatures, validationLabels!, train.ClassCount);
        run.Run(TrainingStage.Fusion, options.FusionEpochs, featureData, head.parameters(), head, (inputs, y, _) =>
        {
            var logits = head.forward(inputs);
            var loss = F.cross_entropy(logits, y);
            return new StepResult(loss, [("fusion", loss)], [("fusion", logits)]);
        }, resume: checkpoints.ResumePoint(TrainingStage.Fusion), checkpoint: checkpoints.Writer(TrainingStage.Fusion, () => dimensions),
            validate: Validation.Scorer(validationData, device, head, head.forward));
    }
}
