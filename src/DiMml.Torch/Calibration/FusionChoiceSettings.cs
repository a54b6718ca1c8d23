namespace DiMml.Torch.Calibration;

/// <summary>How <see cref="FusionSelection.Fit"/> builds and chooses its candidates.</summary>
/// <param name="CertaintyTemperature">T of the calibrated weightings.</param>
/// <param name="HasFusionBranch">Whether the last branch is the fusion head.</param>
/// <param name="Select">True: choose among the candidates; false: keep the calibrated weighting.</param>
/// <param name="Seed">Seed of the cross-fitting folds.</param>
public sealed record FusionChoiceSettings(double CertaintyTemperature, bool HasFusionBranch, bool Select, int Seed)
{
    /// <summary>Which rows the fusion head was fitted on (recorded only). Default <see cref="FusionHeadSource.None"/>.</summary>
    public FusionHeadSource HeadSource { get; init; }
}
