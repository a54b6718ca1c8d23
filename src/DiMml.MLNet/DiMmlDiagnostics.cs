using DiMml.Torch.Calibration;
using DiMml.Torch.Inference;
using DiMml.Torch.Training;

namespace DiMml;

/// <summary>What a DI-MML training run did and how each part of the model performs.</summary>
public sealed class DiMmlDiagnostics : TrainingDiagnostics
{
    internal DiMmlDiagnostics(
        IReadOnlyList<EpochRecord> history, FitFacts facts, IReadOnlyList<string> modalityNames,
            IReadOnlyDictionary<string, int> effectiveSetSizes,
        int ducStartEpoch, string fusion, FusionSelection? selection = null)
        : base(history, facts)
    {
        var lastDetached = history.LastOrDefault(r => r.Stage == TrainingStage.Detached);
        ModalityHeadTrainAccuracy = modalityNames.ToDictionary(m => m, m =>
            lastDetached?.TrainAccuracy.GetValueOrDefault(TermNames.BranchAccuracy(m)) ?? double.NaN);
        SharedHeadTrainAccuracy = modalityNames
            .Where(m => lastDetached?.TrainAccuracy.ContainsKey(TermNames.Shared(m)) == true)
            .ToDictionary(m => m, m => lastDetached!.TrainAccuracy[TermNames.Shared(m)]);
        FusionHeadTrainAccuracy = history.LastOrDefault(r =>
            r.Stage == TrainingStage.Fusion)?.TrainAccuracy.GetValueOrDefault(TermNames.Fusion);
        EffectiveSetSizes = effectiveSetSizes;
        DucStartEpoch = ducStartEpoch;
        Fusion = fusion;
        FusionChoice = selection?.Chosen.Name;
        FusionCandidateAccuracy = selection?.Candidates.ToDictionary(c => c.Name, c => c.HeldOutAccuracy)
            ?? new Dictionary<string, double>();
        BranchTemperatures = selection is null
            ? new Dictionary<string, double>()
            : selection.BranchTemperatures.Select((t, k) => (k, t)).ToDictionary(p => BranchName(modalityNames, p.k), p => p.t);
        HeldOutRows = selection?.HeldOutRows ?? 0;
        FusionComparisons = selection?.Comparisons ?? [];
        RefittedOnAllRows = selection?.RefittedOnAllRows ?? false;
    }

    private static string BranchName(IReadOnlyList<string> modalities, int k) =>
        k < modalities.Count ? modalities[k] : MultimodalModel.FusionBranchName;

    /// <summary>Training accuracy of each modality's modality head in the last stage-1 epoch.</summary>
    public IReadOnlyDictionary<string, double> ModalityHeadTrainAccuracy { get; }

    /// <summary>Training accuracy of the shared head on each modality in the last stage-1 epoch (empty when the shared head is
    /// off).</summary>
    public IReadOnlyDictionary<string, double> SharedHeadTrainAccuracy { get; }

    /// <summary>Training accuracy of the fusion head in the last stage-2 epoch, or null without a fusion head.</summary>
    public double? FusionHeadTrainAccuracy { get; }

    /// <summary>Sizes of the effective sets <c>E.{modality}</c> and transfer sets <c>D.{s}->{t}</c> (empty when DUC is off).</summary>
    public IReadOnlyDictionary<string, int> EffectiveSetSizes { get; }

    /// <summary>The 0-based epoch at which DUC started.</summary>
    public int DucStartEpoch { get; }

    /// <summary>What the fusion head trained on: <see cref="FusionFeatures.AugmentedBatches"/> only when
    /// asked for and some modality is augmented, else the training rows encoded once.</summary>
    public FusionFeatures FusionFeatures { get; internal init; }

    /// <summary>How the saved model fuses its branches.</summary>
    public string Fusion { get; }

    /// <summary>Calibrated or selected fusion: the candidate the model scores with (<c>paper-t1</c>, <c>paper-t3</c>,
    /// <c>branch:{modality}</c>, <c>fusion-head</c>, <c>calibrated</c>, <c>per-class</c> or <c>stacked</c>); null for the paper's
    /// fusion.</summary>
    public string? FusionChoice { get; }

    /// <summary>Every fusion candidate's cross-fitted accuracy on the held-out rows (empty for the paper's fusion).</summary>
    public IReadOnlyDictionary<string, double> FusionCandidateAccuracy { get; }

    /// <summary>Every fusion candidate's accuracy on <see cref="DiMmlTrainer.Options.FusionEvaluationSet"/>, scored as this model
    /// would score with it (after a refit: the refitted branches); empty when that option is not set or for the paper's fusion.
    /// </summary>
    public IReadOnlyDictionary<string, double> FusionCandidateEvaluationAccuracy { get; internal init; } =
        new Dictionary<string, double>();

    /// <summary>Time spent scoring the candidates on the evaluation set (inside Fit, not training).</summary>
    internal TimeSpan FusionEvaluationTime { get; init; }

    /// <summary>The fitted calibration temperature of each branch (modalities, then <c>fusion</c>); empty for the paper's fusion.</summary>
    public IReadOnlyDictionary<string, double> BranchTemperatures { get; }

    /// <summary>Rows held out of stage 1 for calibration and the fusion choice (0 for the paper's fusion).</summary>
    public int HeldOutRows { get; }

    /// <summary>The steps of the fusion choice: each candidate against the paper's weighting, with its paired held-out gain, that
    /// gain's standard error and whether it cleared the bar (empty for the paper's and the calibrated fusion).</summary>
    public IReadOnlyList<FusionComparison> FusionComparisons { get; }

    /// <summary>Whether stage 1 and the fusion head were trained again on all rows after the choice
    /// (<see cref="DiMmlOptions.RefitOnAllRows"/>).</summary>
    public bool RefittedOnAllRows { get; }
}
