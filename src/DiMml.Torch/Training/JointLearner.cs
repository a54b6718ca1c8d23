using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Losses;

namespace DiMml.Torch.Training;

/// <summary>
/// Joint-training baseline: all encoders and one fusion head trained end to end with a single CE loss on the
/// fused logits. This is the setting in which the easiest modality dominates the gradient (modality competition).
/// </summary>
public sealed class JointLearner
{
    private readonly TrainerOptions options;

    /// <summary>Creates the learner.</summary>
    /// <param name="options">Training settings; <see cref="TrainerOptions.FusionHead"/> must not be None.</param>
    public JointLearner(TrainerOptions options) => this.options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Trains on <paramref name="train"/> and returns the model (the caller disposes it).</summary>
    /// <param name="train">Training rows, one feature tensor per modality.</param>
    /// <param name="validation">Optional validation rows for model selection and early stopping.</param>
    public MultimodalModel Fit(IBatchSource train, IBatchSource? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (options.Seed is null)
        {
            return new JointLearner(options.Resolved<TrainerOptions>()).Fit(train, validation);
        }

        options.Validate(train.ModalityCount);
        using var threads = ThreadScope.Apply(options.NumberOfThreads);
        if (options.FusionHead == FusionHeadKind.None)
        {
            throw new ArgumentException("Option FusionHead is None; joint training needs a fusion head (Concat, Sum, Film or Gated).",
                nameof(options));
        }

        var device = options.ResolveDevice();
        var network = NetworkBuilder.Build(options, train, options.FusionHead, device);
        return NetworkBuilder.DisposeOnFailure(network, () =>
        {
            var history = new TrainingHistory();
            var checkpoints = new CheckpointPlan(options, network, history);
            var parameters = NetworkBuilder.EncoderParameters(network).Concat(network.FusionHead!.parameters());
            var stage = new StagePlan(TrainingStage.Joint, options.Epochs, train, parameters, network, (batch, _) =>
            {
                var logits = network.FusionLogits(network.Encode(batch.Inputs));
                var loss = WeightedLoss.CrossEntropy(logits, batch.Labels, batch.Weights);
                return new StepResult(loss, [(TermNames.Fusion, loss)], [(TermNames.Fusion, logits)]);
            })
            {
                Augmented = [.. options.Modalities],
                Validate = Validation.Scorer(validation, device, network, inputs => network.FusionLogits(network.Encode(inputs)),
                    options.CancellationToken),
            };
            new SgdRun(options, device, history).Run(checkpoints.Around(stage, () => null));
            var names = options.Modalities.Select(m => m.Name).ToArray();
            return new MultimodalModel(network, ModelKind.Joint, names, history, null, new Inference.CertaintyWeighting(), device);
        });
    }
}
