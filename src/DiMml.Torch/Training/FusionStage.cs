using DiMml.Torch.Calibration;
using DiMml.Torch.Data;
using DiMml.Torch.Losses;
using DiMml.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DiMml.Torch.Training;

/// <summary>
/// DI-MML stage 2: the fusion head trained with CE on the features of frozen encoders, either on the training rows (the
/// paper's) or on held-out rows, where the branches are also calibrated and the fusion chosen. Frozen encoders in eval
/// mode give the same features every epoch, so the features are computed once, unless the options ask for augmented
/// batches (<see cref="FusionFeatures.AugmentedBatches"/>), which are encoded afresh in every step.
/// </summary>
internal static class FusionStage
{
    /// <summary>Folds of the cross-fitting that gives the fusion head's held-out logits.</summary>
    public const int CrossFitFolds = 5;

    /// <summary>The paper's stage 2: the fusion head on the training rows' features.</summary>
    public static void Train(
        MultimodalNetwork network, IBatchSource train, IBatchSource? validation, Device device, DiMmlOptions options, SgdRun run, CheckpointPlan checkpoints,
        EffectiveDimensions? dimensions)
    {
        network.SetEncodersTrainable(false);
        using var scope = NewDisposeScope();
        var (validationFeatures, validationLabels) = validation is null ? (null, null) : FeatureExtraction.Encode(network, validation, device);
        using var validationData = validationFeatures is null ? null : MultimodalDataset.FromTensors(validationFeatures, validationLabels!, train.ClassCount);
        var head = network.FusionHead!;
        if (options.FusionTrainsOnAugmentedBatches)
        {
            run.Run(TrainingStage.Fusion, options.FusionEpochs, train, head.parameters(), head, (inputs, y, _) => Step(head, EncodeFrozen(network, inputs), y),
                augmented: options.Modalities.ToArray(), resume: checkpoints.ResumePoint(TrainingStage.Fusion),
                checkpoint: checkpoints.Writer(TrainingStage.Fusion, () => dimensions), validate: Validation.Scorer(validationData, device, head, head.forward));
            return;
        }

        var (features, labels) = FeatureExtraction.Encode(network, train, device);
        TrainHead(head, features, labels, train.ClassCount, options, run, checkpoints, dimensions, validationData, device);
    }

    // The frozen encoders' features of an (augmented) batch: eval mode, no gradient, as in the one-off encoding.
    private static Tensor[] EncodeFrozen(MultimodalNetwork network, Tensor[] inputs)
    {
        foreach (var encoder in network.Encoders)
        {
            encoder.eval();
        }

        using var guard = no_grad();
        return network.Encode(inputs);
    }

    /// <summary>
    /// Stage 2 with held-out rows. The fusion head is fitted twice: on the training rows (the paper's way, with the
    /// history, checkpoints and validation of <paramref name="run"/>) and, cross-fitted in <see cref="CrossFitFolds"/> folds,
    /// on the held-out rows, whose encoders never memorised them. The variant more accurate on the held-out rows is kept
    /// (the held-out one is then refitted on all held-out rows); its held-out logits, honest either way, join the private
    /// heads' for the branch temperatures and the fusion choice.
    /// </summary>
    public static FusionSelection Calibrate(
        MultimodalNetwork network, IReadOnlyList<string> branchNames, IBatchSource train, IBatchSource? validation, IBatchSource heldOut, Device device,
        DiMmlOptions options, SgdRun run, CheckpointPlan checkpoints, EffectiveDimensions? dimensions)
    {
        var head = network.FusionHead;
        if (head is not null)
        {
            Train(network, train, validation, device, options, run, checkpoints, dimensions);
        }

        network.SetEncodersTrainable(false);
        using var scope = NewDisposeScope();
        var (features, labels) = FeatureExtraction.Encode(network, heldOut, device);
        var branches = new List<Tensor>();
        using (no_grad())
        {
            branches.AddRange(network.PrivateLogits(features));
        }

        var headSource = FusionHeadSource.None;
        if (head is not null)
        {
            (var headLogits, headSource) = KeepBetterHead(head, network, features, labels, heldOut.ClassCount, options, device);
            branches.Add(headLogits);
        }

        network.eval();
        return FusionSelection.Fit(branchNames, branches, labels, options.CertaintyTemperature, head is not null,
            options.Inference == InferenceFusion.Selected, headSource);
    }

    // The head as trained on the training rows against heads cross-fitted on the held-out rows; when the latter score
    // better there, the head is refitted on every held-out row. Returns the kept variant's held-out logits.
    private static (Tensor Logits, FusionHeadSource Source) KeepBetterHead(
        FusionHead head, MultimodalNetwork network, Tensor[] features, Tensor labels, int classCount, DiMmlOptions options, Device device)
    {
        Tensor trainedLogits;
        using (no_grad())
        {
            head.eval();
            trainedLogits = head.forward(features);
        }

        var crossFitted = CrossFit(head.Kind, network, features, labels, classCount, options, device);
        if (Accuracy(crossFitted, labels) <= Accuracy(trainedLogits, labels))
        {
            return (trainedLogits, FusionHeadSource.TrainingRows);
        }

        using var generator = new Generator(BatchOrder.Mix(options.RunSeed, int.MaxValue - 2 - CrossFitFolds));
        ParameterInit.All(head, generator);
        using var data = MultimodalDataset.FromTensors(features, labels, classCount);
        new SgdRun(options, device, new TrainingHistory(), report: false).Run(TrainingStage.Fusion, options.FusionEpochs, data, head.parameters(), head,
            (inputs, y, _) => Step(head, inputs, y));
        return (crossFitted, FusionHeadSource.HeldOutRows);
    }

    private static double Accuracy(Tensor logits, Tensor labels)
    {
        using var correct = logits.argmax(1).eq(labels);
        return correct.to(ScalarType.Float64).mean().item<double>();
    }

    private static void TrainHead(
        FusionHead head, Tensor[] features, Tensor labels, int classCount, DiMmlOptions options, SgdRun run, CheckpointPlan checkpoints,
        EffectiveDimensions? dimensions, IBatchSource? validation, Device device)
    {
        using var featureData = MultimodalDataset.FromTensors(features, labels, classCount);
        run.Run(TrainingStage.Fusion, options.FusionEpochs, featureData, head.parameters(), head, (inputs, y, _) => Step(head, inputs, y),
            resume: checkpoints.ResumePoint(TrainingStage.Fusion), checkpoint: checkpoints.Writer(TrainingStage.Fusion, () => dimensions),
            validate: Validation.Scorer(validation, device, head, head.forward));
    }

    // Out-of-fold logits [n, C]: each row is scored by a fresh head that did not train on it.
    private static Tensor CrossFit(FusionHeadKind kind, MultimodalNetwork network, Tensor[] features, Tensor labels, int classCount, DiMmlOptions options, Device device)
    {
        var rows = labels.shape[0];
        var folds = (int)Math.Min(CrossFitFolds, rows);
        using var order = BatchOrder.Permutation(rows, options.RunSeed, int.MaxValue - 1);
        var fold = arange(rows, dtype: ScalarType.Int64).remainder(folds).index_select(0, order.argsort());
        var logits = zeros(rows, classCount, device: device);
        var quiet = new SgdRun(options, device, new TrainingHistory(), report: false);
        for (var k = 0; k < folds; k++)
        {
            using var step = NewDisposeScope();
            using var head = NewHead(kind, network, classCount, options.RunSeed, k).to(device);
            var inFold = fold.eq(k);
            var fitRows = nonzero(inFold.logical_not()).flatten().to(device);
            var scoreRows = nonzero(inFold).flatten().to(device);
            using var data = MultimodalDataset.FromTensors(features.Select(f => f.index_select(0, fitRows)).ToArray(), labels.index_select(0, fitRows), classCount);
            quiet.Run(TrainingStage.Fusion, options.FusionEpochs, data, head.parameters(), head, (inputs, y, _) => Step(head, inputs, y));
            head.eval();
            using var guard = no_grad();
            logits.index_copy_(0, scoreRows, head.forward(features.Select(f => f.index_select(0, scoreRows)).ToArray()));
        }

        return logits;
    }

    private static FusionHead NewHead(FusionHeadKind kind, MultimodalNetwork network, int classCount, long seed, int fold)
    {
        var head = FusionHead.Create(kind, network.ModalityCount, network.EmbeddingSize, classCount);
        using var generator = new Generator(BatchOrder.Mix(seed, int.MaxValue - 2 - fold));
        ParameterInit.All(head, generator);
        return head;
    }

    private static StepResult Step(FusionHead head, Tensor[] inputs, Tensor labels)
    {
        var logits = head.forward(inputs);
        var loss = F.cross_entropy(logits, labels);
        return new StepResult(loss, [(TermNames.Fusion, loss)], [(TermNames.Fusion, logits)]);
    }
}
