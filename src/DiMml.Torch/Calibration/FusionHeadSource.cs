namespace DiMml.Torch.Calibration;

/// <summary>Which rows a calibrated model's fusion head was fitted on.</summary>
public enum FusionHeadSource
{
    /// <summary>The model has no fusion head.</summary>
    None,

    /// <summary>The stage-1 training rows (the paper's way): more rows, but features the encoders may have memorised.</summary>
    TrainingRows,

    /// <summary>The held-out rows: fewer rows, but features of rows the encoders never trained on.</summary>
    HeldOutRows,
}
