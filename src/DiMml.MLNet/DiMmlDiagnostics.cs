using DiMml.Torch.Training;

namespace DiMml.MLNet;

/// <summary>What a DI-MML training run did and how each part of the model performs.</summary>
public sealed class DiMmlDiagnostics
{
    internal DiMmlDiagnostics(
        IReadOnlyList<EpochRecord> history,
        IReadOnlyList<string> modalityNames,
        IReadOnlyDictionary<string, int> effectiveSetSizes,
        IReadOnlyDictionary<string, double>? validationAccuracy,
        int seed,
        int ducStartEpoch,
        string fusion,
        long trainingRows,
        long skippedRows,
        TimeSpan trainingTime,
        bool streamed,
        TimeSpan dataWaitTime)
    {
        Streamed = streamed;
        DataWaitTime = dataWaitTime;
        History = history;
        var lastDetached = history.LastOrDefault(r => r.Stage == TrainingStage.Detached);
        PrivateHeadTrainAccuracy = modalityNames.ToDictionary(m => m, m => lastDetached?.TrainAccuracy.GetValueOrDefault(m) ?? double.NaN);
        SharedHeadTrainAccuracy = modalityNames
            .Where(m => lastDetached?.TrainAccuracy.ContainsKey($"shared.{m}") == true)
            .ToDictionary(m => m, m => lastDetached!.TrainAccuracy[$"shared.{m}"]);
        FusionHeadTrainAccuracy = history.LastOrDefault(r => r.Stage == TrainingStage.Fusion)?.TrainAccuracy.GetValueOrDefault("fusion");
        FinalLosses = lastDetached?.Losses ?? new Dictionary<string, double>();
        EffectiveSetSizes = effectiveSetSizes;
        ValidationAccuracy = validationAccuracy;
        Seed = seed;
        DucStartEpoch = ducStartEpoch;
        Fusion = fusion;
        TrainingRows = trainingRows;
        SkippedRows = skippedRows;
        TrainingTime = trainingTime;
    }

    /// <summary>Every epoch of both stages: loss terms, training accuracies, effective-set sizes, wall time.</summary>
    public IReadOnlyList<EpochRecord> History { get; }

    /// <summary>Training accuracy of each modality's private head in the last stage-1 epoch.</summary>
    public IReadOnlyDictionary<string, double> PrivateHeadTrainAccuracy { get; }

    /// <summary>Training accuracy of the shared head on each modality in the last stage-1 epoch (empty when the shared head is off).</summary>
    public IReadOnlyDictionary<string, double> SharedHeadTrainAccuracy { get; }

    /// <summary>Training accuracy of the fusion head in the last stage-2 epoch, or null without a fusion head.</summary>
    public double? FusionHeadTrainAccuracy { get; }

    /// <summary>Mean loss terms of the last stage-1 epoch (<c>ce.{modality}</c>, <c>shared.{modality}</c>, <c>duc</c>, <c>total</c>).</summary>
    public IReadOnlyDictionary<string, double> FinalLosses { get; }

    /// <summary>Sizes of the effective sets <c>E.{modality}</c> and transfer sets <c>D.{s}->{t}</c> (empty when DUC is off).</summary>
    public IReadOnlyDictionary<string, int> EffectiveSetSizes { get; }

    /// <summary>Accuracy on <see cref="DiMmlTrainer.Options.ValidationSet"/> of the fused prediction (<c>fused</c>) and of each branch; null without a validation set.</summary>
    public IReadOnlyDictionary<string, double>? ValidationAccuracy { get; }

    /// <summary>The seed the run used (given, or drawn from the MLContext).</summary>
    public int Seed { get; }

    /// <summary>The 0-based epoch at which DUC started.</summary>
    public int DucStartEpoch { get; }

    /// <summary>How the saved model fuses its branches.</summary>
    public string Fusion { get; }

    /// <summary>Rows trained on.</summary>
    public long TrainingRows { get; }

    /// <summary>Rows skipped (missing label, or non-finite features when dropping was asked for).</summary>
    public long SkippedRows { get; }

    /// <summary>Wall time of both training stages.</summary>
    public TimeSpan TrainingTime { get; }

    /// <summary>Whether the training data was streamed from the IDataView (it exceeded <see cref="DiMmlTrainer.Options.MemoryBudgetBytes"/>).</summary>
    public bool Streamed { get; }

    /// <summary>Time training spent waiting for streamed data (zero in memory).</summary>
    public TimeSpan DataWaitTime { get; }

    /// <summary>Share of the training time spent waiting for streamed data.</summary>
    public double DataWaitShare => TrainingTime > TimeSpan.Zero ? DataWaitTime / TrainingTime : 0;
}
