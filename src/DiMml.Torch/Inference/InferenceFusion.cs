namespace DiMml.Torch.Inference;

/// <summary>How a trained DI-MML model turns its branches into one prediction.</summary>
public enum InferenceFusion
{
    /// <summary>The paper's certainty-aware logit weighting of the private heads and the fusion head, with the fusion head
    /// trained on the training rows. No data is held out.</summary>
    CertaintyWeighting,

    /// <summary>The fusion head alone (the "no weighting" ablation). Needs a fusion head.</summary>
    FusionHeadOnly,

    /// <summary>Certainty weighting of temperature-scaled branches: stage 1 never sees a held-out part of the data, on which
    /// each branch's temperature is fitted by minimising NLL and the fusion head is trained (cross-fitted for its temperature).</summary>
    CalibratedCertaintyWeighting,

    /// <summary>Like <see cref="CalibratedCertaintyWeighting"/>, then the fusion with the best held-out accuracy among the
    /// paper's weighting (T = 1 and 3), the calibrated weighting, the fusion head alone and each single branch.</summary>
    Selected,
}
