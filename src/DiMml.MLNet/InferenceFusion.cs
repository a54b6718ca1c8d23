namespace DiMml.MLNet;

/// <summary>How a trained DI-MML model turns its branches into one prediction.</summary>
public enum InferenceFusion
{
    /// <summary>Certainty-aware logit weighting of the per-modality heads and the fusion head (the paper's); no rows held out.</summary>
    CertaintyWeighting,

    /// <summary>The fusion head alone: the "no weighting" ablation. Needs a fusion head; Score.{modality} is still output.</summary>
    FusionHeadOnly,

    /// <summary>Certainty weighting of temperature-scaled branches. Stage 1 never trains on the held-out rows (the
    /// <see cref="MultimodalTrainerOptions.ValidationSet"/>, or <see cref="DiMmlTrainer.Options.CalibrationFraction"/> of the
    /// training rows); there each branch's temperature is fitted by minimising NLL and the fusion head is trained
    /// (cross-fitted to calibrate it). Score.{modality} is then calibrated too.</summary>
    CalibratedCertaintyWeighting,

    /// <summary>Calibrated as <see cref="CalibratedCertaintyWeighting"/>, then the most accurate fusion on the held-out rows
    /// among the paper's weighting (T = 1 and 3), the calibrated weighting, the fusion head alone and each single branch.
    /// The choice and every candidate's held-out accuracy are in the diagnostics, the log and the model's metadata.</summary>
    Selected,
}
