using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DiMml.Torch.Training;

/// <summary>
/// How much each trained encoder knows on its own: a linear classifier per modality trained on that modality's
/// frozen features (SGD, the run's optimiser settings). Under joint training it exposes modality competition: the
/// dominated modality's probe falls behind its unimodal baseline.
/// </summary>
public static class LinearProbe
{
    /// <summary>Per modality, the probe's accuracy on <paramref name="evaluation"/> (or on <paramref name="train"/> when null).</summary>
    /// <param name="model">The trained model whose encoders are probed (left unchanged).</param>
    /// <param name="train">Rows the probes are trained on.</param>
    /// <param name="evaluation">Rows the probes are scored on; null scores them on <paramref name="train"/>.</param>
    /// <param name="options">Optimiser settings and seed; <see cref="TrainerOptions.Epochs"/> is the probes' epoch count.</param>
    public static IReadOnlyDictionary<string, double> Accuracy(MultimodalModel model, IBatchSource train, IBatchSource? evaluation,
        TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options = options.Resolved<TrainerOptions>();
        using var threads = ThreadScope.Apply(options.NumberOfThreads);
        using var scope = NewDisposeScope();
        // A diagnostic of the encoders: probes train and score unweighted.
        var (trainFeatures, trainLabels, _) = FeatureExtraction.Encode(model.Network, train, model.Device, options.CancellationToken);
        var (testFeatures, testLabels, _) = evaluation is null ? new EncodedRows(trainFeatures, trainLabels, null)
            : FeatureExtraction.Encode(model.Network, evaluation, model.Device, options.CancellationToken);
        var accuracy = new Dictionary<string, double>();
        for (var m = 0; m < model.ModalityNames.Count; m++)
        {
            using var probe = nn.Linear(model.Network.EmbeddingSize, model.Network.ClassCount).to(model.Device);
            using var generator = new Generator((ulong)options.RunSeed + (ulong)m);
            ParameterInit.Linear(probe, generator);
            using var data = MultimodalDataset.FromTensors([trainFeatures[m]], trainLabels, train.ClassCount);
            new SgdRun(options, model.Device, new TrainingHistory())
                .Run(new StagePlan(TrainingStage.Unimodal, options.Epochs, data, probe.parameters(), probe, (batch, _) =>
            {
                var logits = probe.forward(batch.Inputs[0]);
                var loss = F.cross_entropy(logits, batch.Labels);
                return new StepResult(loss, [(TermNames.Probe, loss)], [(TermNames.Probe, logits)]);
            }));
            using var guard = no_grad();
            var correct = probe.forward(testFeatures[m]).argmax(1).eq(testLabels).sum().item<long>();
            accuracy[model.ModalityNames[m]] = (double)correct / testLabels.shape[0];
        }

        return accuracy;
    }
}
