using DiMml.Torch.Losses;
using DiMml.Torch.Modules;

namespace DiMml.Torch.Training;

/// <summary>DI-MML settings on top of <see cref="TrainerOptions"/>; defaults follow the paper and its code.</summary>
public sealed class DiMmlOptions : TrainerOptions
{
    /// <summary>0-based epoch from which DUC is on and at which the effective dimensions are computed.
    /// Null (default): 20 when <see cref="TrainerOptions.Epochs"/> ≥ 40, else Epochs / 2.</summary>
    public int? DucStartEpoch { get; set; }

    /// <summary>DUC temperature τ. Default 10.</summary>
    public double DucTemperature { get; set; } = 10.0;

    /// <summary>Weight μ of the DUC loss. Default 1; 0 disables DUC (the "no DUC" ablation).</summary>
    public double DucWeight { get; set; } = 1.0;

    /// <summary>Weight λ of the shared-head loss. Default 1; 0 disables the shared head (the "no shared head" ablation).</summary>
    public double SharedHeadWeight { get; set; } = 1.0;

    /// <summary>Recompute the effective dimensions every this many epochs after the DUC start (a documented
    /// deviation from the paper). Null (default): computed once, as in the paper.</summary>
    public int? DimensionRefreshInterval { get; set; }

    /// <summary>Stage-2 epochs of the fusion head on frozen encoders. Default 20.</summary>
    public int FusionEpochs { get; set; } = 20;

    /// <summary>How the trained model predicts: certainty weighting (default, the paper's) or the fusion head alone
    /// (the "no weighting" ablation; needs a fusion head).</summary>
    public bool FusionHeadOnly { get; set; }

    /// <summary>Temperature T of the certainty weighting at inference. Default 1.</summary>
    public double CertaintyTemperature { get; set; } = 1.0;

    /// <summary>Bound on the elements of one distance chunk of the effective-dimension pass.</summary>
    public long DimensionChunkElements { get; set; } = EffectiveDimensions.DefaultChunkElements;

    /// <summary>The DUC start epoch in force: <see cref="DucStartEpoch"/>, or its default for <see cref="TrainerOptions.Epochs"/>.</summary>
    public int ResolvedDucStartEpoch => DucStartEpoch ?? (Epochs >= 40 ? 20 : Epochs / 2);

    /// <inheritdoc />
    public override void Validate(int modalityCount)
    {
        base.Validate(modalityCount);
        Require(modalityCount >= 2, nameof(Modalities), $"has {modalityCount} modality; DI-MML needs at least 2 (use UnimodalLearner for one)");
        Require(DucStartEpoch is null || (DucStartEpoch >= 0 && DucStartEpoch < Epochs), nameof(DucStartEpoch),
            $"is {DucStartEpoch}; it must be in 0..{Epochs - 1} (Epochs - 1), or null for the default");
        Require(double.IsFinite(DucTemperature) && DucTemperature > 0, nameof(DucTemperature), $"is {DucTemperature}; it must be a finite number > 0");
        Require(double.IsFinite(DucWeight) && DucWeight >= 0, nameof(DucWeight), $"is {DucWeight}; it must be a finite number >= 0");
        Require(double.IsFinite(SharedHeadWeight) && SharedHeadWeight >= 0, nameof(SharedHeadWeight), $"is {SharedHeadWeight}; it must be a finite number >= 0");
        Require(DimensionRefreshInterval is null or > 0, nameof(DimensionRefreshInterval), $"is {DimensionRefreshInterval}; it must be at least 1, or null to compute once");
        Require(FusionEpochs >= 0, nameof(FusionEpochs), $"is {FusionEpochs}; it must be >= 0");
        Require(FusionHead == FusionHeadKind.None || FusionEpochs > 0, nameof(FusionEpochs), "is 0 but a fusion head is configured; set FusionEpochs > 0 or FusionHead = None");
        Require(!FusionHeadOnly || FusionHead != FusionHeadKind.None, nameof(FusionHeadOnly), "is set but FusionHead is None; choose a fusion head to predict with");
        Require(double.IsFinite(CertaintyTemperature) && CertaintyTemperature > 0, nameof(CertaintyTemperature), $"is {CertaintyTemperature}; it must be a finite number > 0");
        Require(DimensionChunkElements > 0, nameof(DimensionChunkElements), $"is {DimensionChunkElements}; it must be at least 1");
    }
}
