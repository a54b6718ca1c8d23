using DiMml.Torch.Training;

namespace DiMml.MLNet;

/// <summary>What a DI-MML training run did and how each part of the model performs.</summary>
public sealed class DiMmlDiagnostics : TrainingDiagnostics
{
    internal DiMmlDiagnostics(
        IReadOnlyList<EpochRecord> history, FitFacts facts, IReadOnlyList<string> modalityNames, IReadOnlyDictionary<string, int> effectiveSetSizes,
        int ducStartEpoch, string fusion)
        : base(history, facts)
    {
        var lastDetached = history.LastOrDefault(r => r.Stage == TrainingStage.Detached);
        PrivateHeadTrainAccuracy = modalityNames.ToDictionary(m => m, m => lastDetached?.TrainAccuracy.GetValueOrDefault(m) ?? double.NaN);
        SharedHeadTrainAccuracy = modalityNames
            .Where(m => lastDetached?.TrainAccuracy.ContainsKey($"shared.{m}") == true)
            .ToDictionary(m => m, m => lastDetached!.TrainAccuracy[$"shared.{m}"]);
        FusionHeadTrainAccuracy = history.LastOrDefault(r => r.Stage == TrainingStage.Fusion)?.TrainAccuracy.GetValueOrDefault("fusion");
        EffectiveSetSizes = effectiveSetSizes;
        DucStartEpoch = ducStartEpoch;
        Fusion = fusion;
    }

    /// <summary>Training accuracy of each modality's private head in the last stage-1 epoch.</summary>
    public IReadOnlyDictionary<string, double> PrivateHeadTrainAccuracy { get; }

    /// <summary>Training accuracy of the shared head on each modality in the last stage-1 epoch (empty when the shared head is off).</summary>
    public IReadOnlyDictionary<string, double> SharedHeadTrainAccuracy { get; }

    /// <summary>Training accuracy of the fusion head in the last stage-2 epoch, or null without a fusion head.</summary>
    public double? FusionHeadTrainAccuracy { get; }

    /// <summary>Sizes of the effective sets <c>E.{modality}</c> and transfer sets <c>D.{s}->{t}</c> (empty when DUC is off).</summary>
    public IReadOnlyDictionary<string, int> EffectiveSetSizes { get; }

    /// <summary>The 0-based epoch at which DUC started.</summary>
    public int DucStartEpoch { get; }

    /// <summary>How the saved model fuses its branches.</summary>
    public string Fusion { get; }
}
