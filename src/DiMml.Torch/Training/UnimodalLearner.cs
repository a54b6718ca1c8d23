using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Losses;

namespace DiMml.Torch.Training;

/// <summary>Unimodal baseline: one encoder and its modality head, trained alone with CE.</summary>
public sealed class UnimodalLearner
{
    private readonly TrainerOptions options;

    /// <summary>Creates the learner.</summary>
    /// <param name="options">Training settings with exactly one modality.</param>
    public UnimodalLearner(TrainerOptions options) => this.options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Trains on a one-modality dataset (see <see cref="MultimodalDataset.SelectModalities"/>).</summary>
    /// <param name="train">Training rows of the single modality.</param>
    /// <param name="validation">Optional validation rows of the same modality for model selection and early stopping.</param>
    public MultimodalModel Fit(IBatchSource train, IBatchSource? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.ModalityCount != 1)
        {
            throw new ArgumentException(
                $"The unimodal baseline trains on one modality but the data has {train.ModalityCount}; pass data.SelectModalities(m).",
                    nameof(train));
        }

        if (options.Seed is null)
        {
            return new UnimodalLearner(options.Resolved<TrainerOptions>()).Fit(train, validation);
        }

        options.Validate(1);
        using var threads = ThreadScope.Apply(options.NumberOfThreads);
        var device = options.ResolveDevice();
        var network = NetworkBuilder.Build(options, train, FusionHeadKind.None, device);
        return NetworkBuilder.DisposeOnFailure(network, () =>
        {
            var name = options.Modalities[0].Name;
            var history = new TrainingHistory();
            var checkpoints = new CheckpointPlan(options, network, history);
            var parameters = NetworkBuilder.EncoderParameters(network).Concat(network.ModalityHeads[0].parameters());
            var stage = new StagePlan(TrainingStage.Unimodal, options.Epochs, train, parameters, network, (batch, _) =>
            {
                var logits = network.ModalityLogits(network.Encode(batch.Inputs))[0];
                var loss = WeightedLoss.CrossEntropy(logits, batch.Labels, batch.Weights);
                return new StepResult(loss, [(TermNames.BranchLoss(name), loss)], [(TermNames.BranchAccuracy(name), logits)]);
            })
            {
                Augmented = [.. options.Modalities],
                Validate = Validation.Scorer(validation, device, network, inputs => network.ModalityLogits(network.Encode(inputs))[0],
                    options.CancellationToken),
            };
            new SgdRun(options, device, history).Run(checkpoints.Around(stage, () => null));
            return new MultimodalModel(network, ModelKind.Unimodal, [name], history, null, new CertaintyWeighting(), device);
        });
    }
}
