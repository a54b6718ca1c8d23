using DiMml.Torch.Calibration;
using DiMml.Torch.Data;
using DiMml.Torch.Losses;
using DiMml.Torch.Modules;
using DiMml.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>
/// DI-MML stage 2: the fusion head trained with CE on the features of frozen encoders, either on the training rows (the
/// paper's) or on held-out rows, where the branches are also calibrated and the fusion chosen. Frozen encoders in eval
/// mode give the same features every epoch, so the features are computed once, unless the options ask for augmented
/// batches (<see cref="FusionFeatures.AugmentedBatches"/>), which are encoded afresh in every step.
/// </summary>
/// <param name="network">The trained network; its encoders are frozen here.</param>
/// <param name="options">The run's options.</param>
/// <param name="device">Where training runs.</param>
/// <param name="run">The run's epoch loop (history and progress of the paper's head).</param>
/// <param name="checkpoints">The run's checkpoints.</param>
/// <param name="dimensions">The effective-dimension sets to record with each checkpoint.</param>
internal sealed class FusionStage(
    MultimodalNetwork network, DiMmlOptions options, Device device, SgdRun run, CheckpointPlan checkpoints,
        Func<EffectiveDimensions?> dimensions)
{
    /// <summary>The paper's stage 2: the fusion head on the training rows' features.</summary>
    public void Train(IBatchSource train, IBatchSource? validation)
    {
        network.SetEncodersTrainable(false);
        using var scope = NewDisposeScope();
        using var validationData = validation is null ? null
            : FeatureExtraction.Encode(network, validation, device, options.CancellationToken).ToDataset(train.ClassCount);
        var head = network.FusionHead!;
        var validate = Validation.Scorer(validationData, device, head, head.forward, options.CancellationToken);
        if (options.FusionTrainsOnAugmentedBatches)
        {
            var augmented = new StagePlan(TrainingStage.Fusion, options.FusionEpochs, train, head.parameters(), head,
                (batch, _) => Step(head, batch with { Inputs = EncodeFrozen(batch.Inputs) }))
            { Augmented = [.. options.Modalities], Validate = validate };
            run.Run(checkpoints.Around(augmented, dimensions));
            return;
        }

        using var featureData = FeatureExtraction.Encode(network, train, device, options.CancellationToken).ToDataset(train.ClassCount);
        var once = new StagePlan(TrainingStage.Fusion, options.FusionEpochs, featureData, head.parameters(), head, (batch, _) =>
            Step(head, batch))
        {
            Validate = validate,
        };
        run.Run(checkpoints.Around(once, dimensions));
    }

    /// <summary>
    /// Stage 2 with held-out rows. The fusion head is fitted twice: on the training rows (the paper's way, with the
    /// history, checkpoints and validation of the run) and, cross-fitted in <see cref="FusionSelection.CrossFitFolds"/> folds, on the
    /// held-out rows, whose encoders never memorised them. The variant more accurate on the held-out rows is kept (the
    /// held-out one is then refitted on all held-out rows); its held-out logits, honest either way, join the modality
    /// branches' for the branch temperatures and the fusion choice.
    /// </summary>
    public FusionSelection Calibrate(IReadOnlyList<string> branchNames, IBatchSource train, IBatchSource? validation, IBatchSource heldOut)
    {
        var head = network.FusionHead;
        if (head is not null)
        {
            Train(train, validation);
        }

        network.SetEncodersTrainable(false);
        using var scope = NewDisposeScope();
        var rows = FeatureExtraction.Encode(network, heldOut, device, options.CancellationToken);
        var branches = new List<Tensor>();
        using (no_grad())
        {
            branches.AddRange(network.ModalityLogits(rows.Features));
        }

        var headSource = FusionHeadSource.None;
        if (head is not null)
        {
            (var headLogits, headSource) = KeepBetterHead(head, rows, heldOut.ClassCount);
            branches.Add(headLogits);
        }

        network.eval();
        options.CancellationToken.ThrowIfCancellationRequested();
        return FusionSelection.Fit(branchNames, branches, rows.Labels,
            new FusionChoiceSettings(options.CertaintyTemperature, head is not null, options.Inference == InferenceFusion.Selected,
                options.RunSeed)
            { HeadSource = headSource }, rows.Weights);
    }

    // The frozen encoders' features of an (augmented) batch: eval mode, no gradient, as in the one-off encoding.
    private Tensor[] EncodeFrozen(Tensor[] inputs)
    {
        foreach (var encoder in network.Encoders)
        {
            encoder.eval();
        }

        using var guard = no_grad();
        return network.Encode(inputs);
    }

    // The head as trained on the training rows against heads cross-fitted on the held-out rows; when the latter score
    // better there, the head is refitted on every held-out row. Returns the kept variant's held-out logits.
    private (Tensor Logits, FusionHeadSource Source) KeepBetterHead(FusionHead head, EncodedRows rows, int classCount)
    {
        Tensor trainedLogits;
        using (no_grad())
        {
            head.eval();
            trainedLogits = head.forward(rows.Features);
        }

        var crossFitted = CrossFit(head.Kind, rows, classCount);
        if (WeightedAccuracy(crossFitted, rows) <= WeightedAccuracy(trainedLogits, rows))
        {
            return (trainedLogits, FusionHeadSource.TrainingRows);
        }

        using var generator = new Generator(BatchOrder.Mix(options.RunSeed, int.MaxValue - 2 - FusionSelection.CrossFitFolds));
        ParameterInit.All(head, generator);
        using var data = rows.ToDataset(classCount);
        Quiet().Run(new StagePlan(TrainingStage.Fusion, options.FusionEpochs, data, head.parameters(), head,
            (batch, _) => Step(head, batch)));
        return (crossFitted, FusionHeadSource.HeldOutRows);
    }

    // Auxiliary fits stay out of the run's history and progress callback.
    private SgdRun Quiet() => new(options, device, new TrainingHistory(), report: false);

    private static double WeightedAccuracy(Tensor logits, EncodedRows rows) =>
        Accuracy.Hits(logits, new Batch(rows.Features, rows.Labels, rows.Weights))
            / Accuracy.Weight(new Batch(rows.Features, rows.Labels, rows.Weights));

    // Out-of-fold logits [n, C]: each row is scored by a fresh head that did not train on it.
    private Tensor CrossFit(FusionHeadKind kind, EncodedRows encoded, int classCount)
    {
        var rows = encoded.Labels.shape[0];
        var folds = (int)Math.Min(FusionSelection.CrossFitFolds, rows);
        using var order = BatchOrder.Permutation(rows, options.RunSeed, int.MaxValue - 1);
        using var scalars = new ScalarScope();
        var fold = ScalarMath.Range(rows).remainder(scalars.Of(folds)).index_select(0, order.argsort());
        var logits = zeros(rows, classCount, device: device);
        var quiet = Quiet();
        for (var k = 0; k < folds; k++)
        {
            using var step = NewDisposeScope();
            using var head = NewHead(kind, classCount, k).to(device);
            var inFold = fold.eq(scalars.Of(k));
            var fitRows = nonzero(inFold.logical_not()).flatten().to(device);
            var scoreRows = nonzero(inFold).flatten().to(device);
            using var data = encoded.Select(fitRows).ToDataset(classCount);
            quiet.Run(new StagePlan(TrainingStage.Fusion, options.FusionEpochs, data, head.parameters(), head, (batch, _) =>
                Step(head, batch)));
            head.eval();
            using var guard = no_grad();
            logits.index_copy_(0, scoreRows, head.forward(encoded.Select(scoreRows).Features));
        }

        return logits;
    }

    private FusionHead NewHead(FusionHeadKind kind, int classCount, int fold)
    {
        var head = FusionHead.Create(kind, network.ModalityCount, network.EmbeddingSize, classCount);
        using var generator = new Generator(BatchOrder.Mix(options.RunSeed, int.MaxValue - 2 - fold));
        ParameterInit.All(head, generator);
        return head;
    }

    private static StepResult Step(FusionHead head, Batch batch)
    {
        var logits = head.forward(batch.Inputs);
        var loss = WeightedLoss.CrossEntropy(logits, batch.Labels, batch.Weights);
        return new StepResult(loss, [(TermNames.Fusion, loss)], [(TermNames.Fusion, logits)]);
    }
}
