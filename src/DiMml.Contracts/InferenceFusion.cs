namespace DiMml;

/// <summary>How a trained DI-MML model turns its branches (one per modality, plus the fusion head) into one prediction.</summary>
public enum InferenceFusion
{
    /// <summary>The paper's certainty-aware logit weighting of the branches, with the fusion head trained on the training
    /// rows. No rows are held out.</summary>
    CertaintyWeighting,

    /// <summary>The fusion head alone (the "no weighting" ablation). Needs a fusion head; the per-modality scores are still
    /// output.</summary>
    FusionHeadOnly,

    /// <summary>Certainty weighting of temperature-scaled branches. Stage 1 never trains on the held-out rows (the
    /// validation rows when given, else a share of the training rows); there each branch's temperature is fitted by
    /// minimising NLL and the fusion head is trained (cross-fitted for its temperature). The per-modality scores are then
    /// calibrated too.</summary>
    CalibratedCertaintyWeighting,

    /// <summary>Calibrated as <see cref="CalibratedCertaintyWeighting"/>, then the most accurate fusion on the held-out rows
    /// among the paper's weighting (T = 1 and 3), the calibrated weighting, the fusion head alone and each single branch.
    /// The choice and every candidate's held-out accuracy are in the diagnostics, the log and the model's metadata.</summary>
    Selected,
}
