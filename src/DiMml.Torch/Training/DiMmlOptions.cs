using DiMml.Torch.Losses;

namespace DiMml.Torch.Training;

/// <summary>DI-MML settings on top of <see cref="TrainerOptions"/>; defaults follow the paper and its code.</summary>
public class DiMmlOptions : TrainerOptions
{
    /// <summary>0-based epoch from which DUC is on and at which the effective dimensions are computed.
    /// Null (default): 20 when <see cref="TrainerOptions.Epochs"/> ≥ 40, else Epochs / 2.</summary>
    public int? DucStartEpoch { get; set; }

    /// <summary>DUC temperature τ. Default 10.</summary>
    public double DucTemperature { get; set; } = TrainerDefaults.DucTemperature;

    /// <summary>Weight μ of the DUC loss. Default 1; 0 disables DUC (the "no DUC" ablation).</summary>
    public double DucWeight { get; set; } = TrainerDefaults.DucWeight;

    /// <summary>Weight λ of the shared-head loss. Default 1; 0 disables the shared head (the "no shared head" ablation).</summary>
    public double SharedHeadWeight { get; set; } = TrainerDefaults.SharedHeadWeight;

    /// <summary>Recompute the effective dimensions every this many epochs after the DUC start (a documented
    /// deviation from the paper). Null (default): computed once, as in the paper.</summary>
    public int? DimensionRefreshInterval { get; set; }

    /// <summary>Whether stage 1 trains the modalities side by side on the CPU: each encoder's forward and backward pass on a
    /// thread of its own with an equal share of libtorch's threads. The encoders are detached, so the loss and the gradients
    /// are those of one modality after the other, up to the order of float additions, and runs stay repeatable. Applies with
    /// two or more modalities and at least one libtorch thread per modality (<see cref="TrainerOptions.NumberOfThreads"/>);
    /// GPU training ignores it. Default false: it pays off only for encoders of similar, moderate cost (two ResNet-18 at
    /// embedding size 128 on 2 cores: 1.2x), breaks even for large ones and loses for small MLPs or unequal modalities, where
    /// the hand-over between threads costs more than it saves (docs/performance.md has the measurements).</summary>
    public bool ParallelModalities { get; set; }

    /// <summary>Stage-2 epochs of the fusion head on frozen encoders. Default 20.</summary>
    public int FusionEpochs { get; set; } = TrainerDefaults.FusionEpochs;

    /// <summary>What the fusion head trains on. Default <see cref="FusionFeatures.EncodedOnce"/>; with augmented
    /// modalities, <see cref="FusionFeatures.AugmentedBatches"/> is the authors' way.</summary>
    public FusionFeatures FusionFeatures { get; set; } = FusionFeatures.EncodedOnce;

    /// <summary>Whether stage 2 encodes augmented batches: asked for, and some modality is augmented.</summary>
    internal bool FusionTrainsOnAugmentedBatches =>
        FusionFeatures == FusionFeatures.AugmentedBatches && Modalities.Any(m => m.Augmentation.Enabled);

    /// <summary>How the trained model predicts. Default <see cref="InferenceFusion.Selected"/>: rows are held out of stage 1
    /// and the paper's weighting is kept unless another fusion is more accurate there by more than two standard errors (a single
    /// branch: three); after a choice that fitted nothing there, stage 1 trains again on all rows, so training takes about twice
    /// the paper's time. This differs from the paper, whose certainty weighting (<see cref="InferenceFusion.CertaintyWeighting"/>,
    /// one option away) lost 15 points to its own best branch when one view was much weaker (docs/fusion-and-calibration.md has the table).
    /// <see cref="InferenceFusion.CalibratedCertaintyWeighting"/> and <see cref="InferenceFusion.Selected"/> hold rows out of
    /// stage 1 (the validation rows when given, else <see cref="CalibrationFraction"/> of the training rows).</summary>
    public InferenceFusion Inference { get; set; } = TrainerDefaults.Inference;

    /// <summary>With held-out rows taken from the training rows (calibrated or selected fusion without validation rows): whether,
    /// after the fusion is chosen, stage 1 and the fusion head train again on all rows with the same seed, keeping the chosen
    /// fusion, temperatures and combiner. A refit costs a second training run. Default
    /// <see cref="RefitPolicy.WhenChoiceIsFitFree"/>. Has no effect with validation rows (stage 1 then trains on every
    /// training row already).</summary>
    public RefitPolicy RefitOnAllRows { get; set; } = TrainerDefaults.RefitOnAllRows;

    /// <summary>Whether the run refits after choosing <paramref name="chosen"/>.</summary>
    internal bool Refits(Calibration.FusionCandidate chosen) =>
        RefitOnAllRows == RefitPolicy.Always || (RefitOnAllRows == RefitPolicy.WhenChoiceIsFitFree && !chosen.FittedOnHeldOutRows);

    /// <summary>The options of the refit on all rows: checkpoints in a <c>refit</c> sub-folder, resumed from there when the
    /// interrupted run had reached the refit.</summary>
    internal DiMmlOptions ForRefit()
    {
        var copy = (DiMmlOptions)ForRun(RunSeed, EpochCompleted);
        copy.Inference = InferenceFusion.CertaintyWeighting;
        copy.CheckpointDirectory = CheckpointDirectory is null ? null : Path.Combine(CheckpointDirectory, RefitFolder);
        var resumed = ResumeFrom is null ? null
            : Path.Combine(Directory.Exists(ResumeFrom) ? ResumeFrom : Path.GetDirectoryName(Path.GetFullPath(ResumeFrom))!, RefitFolder);
        copy.ResumeFrom = resumed is not null && Directory.Exists(resumed) && Directory.EnumerateFiles(resumed, "checkpoint-*.bin").Any()
            ? resumed
            : null;
        return copy;
    }

    /// <summary>The checkpoint sub-folder of the refit on all rows.</summary>
    public const string RefitFolder = "refit";

    /// <summary>Without validation rows: the share of each class's training rows held out of stage 1 for calibration, the
    /// fusion head and the fusion choice (calibrated and selected fusion only). Default 0.1; at most 0.5.</summary>
    public double CalibrationFraction { get; set; } = TrainerDefaults.CalibrationFraction;

    /// <summary>Whether this fusion needs rows that stage 1 never trains on.</summary>
    internal bool HoldsOutRows => Inference is InferenceFusion.CalibratedCertaintyWeighting or InferenceFusion.Selected;

    /// <summary>Temperature T of the certainty weighting at inference. Default 1.</summary>
    public double CertaintyTemperature { get; set; } = TrainerDefaults.CertaintyTemperature;

    /// <summary>Bound on the elements of one distance chunk of the effective-dimension pass.</summary>
    public long DimensionChunkElements { get; set; } = EffectiveDimensions.DefaultChunkElements;

    /// <summary>The DUC start epoch in force: <see cref="DucStartEpoch"/>, or its default for
    /// <see cref="TrainerOptions.Epochs"/>.</summary>
    internal int ResolvedDucStartEpoch => DucStartEpoch ?? (Epochs >= 40 ? 20 : Epochs / 2);

    /// <inheritdoc />
    internal override void Validate(int modalityCount)
    {
        base.Validate(modalityCount);
        Require(modalityCount >= 2, nameof(Modalities), $"has {modalityCount} modality; DI-MML needs at least 2 (use UnimodalLearner " +
            $"for one)");
        Require(DucStartEpoch is null || (DucStartEpoch >= 0 && DucStartEpoch < Epochs), nameof(DucStartEpoch),
            $"is {DucStartEpoch}; it must be in 0..{Epochs - 1} (Epochs - 1), or null for the default");
        Require(double.IsFinite(DucTemperature) && DucTemperature > 0, nameof(DucTemperature), $"is {DucTemperature}; it must be a " +
            $"finite number > 0");
        Require(double.IsFinite(DucWeight) && DucWeight >= 0, nameof(DucWeight), $"is {DucWeight}; it must be a finite number >= 0");
        Require(double.IsFinite(SharedHeadWeight) && SharedHeadWeight >= 0, nameof(SharedHeadWeight), $"is {SharedHeadWeight}; it must " +
            $"be a finite number >= 0");
        Require(DimensionRefreshInterval is null or > 0, nameof(DimensionRefreshInterval), $"is {DimensionRefreshInterval}; it must be " +
            $"at least 1, or null to compute once");
        Require(FusionEpochs >= 0, nameof(FusionEpochs), $"is {FusionEpochs}; it must be >= 0");
        Require(FusionHead == FusionHeadKind.None || FusionEpochs > 0, nameof(FusionEpochs), "is 0 but a fusion head is configured; set " +
            "FusionEpochs > 0 or FusionHead = None");
        Require(Enum.IsDefined(FusionFeatures), nameof(FusionFeatures), $"is {FusionFeatures}; use one of " +
            $"{string.Join(", ", Enum.GetNames<FusionFeatures>())}");
        Require(Enum.IsDefined(Inference), nameof(Inference), $"is {Inference}; use one of " +
            $"{string.Join(", ", Enum.GetNames<InferenceFusion>())}");
        Require(Inference != InferenceFusion.FusionHeadOnly || FusionHead != FusionHeadKind.None, nameof(Inference),
            "is FusionHeadOnly but FusionHead is None; choose a fusion head to predict with");
        Require(Enum.IsDefined(RefitOnAllRows), nameof(RefitOnAllRows), $"is {RefitOnAllRows}; use one of " +
            $"{string.Join(", ", Enum.GetNames<RefitPolicy>())}");
        Require(CalibrationFraction > 0 && CalibrationFraction <= 0.5, nameof(CalibrationFraction), $"is {CalibrationFraction}; it must " +
            $"be in (0, 0.5]");
        Require(double.IsFinite(CertaintyTemperature) && CertaintyTemperature > 0, nameof(CertaintyTemperature),
            $"is {CertaintyTemperature}; it must be a finite number > 0");
        Require(DimensionChunkElements > 0, nameof(DimensionChunkElements), $"is {DimensionChunkElements}; it must be at least 1");
    }
}
