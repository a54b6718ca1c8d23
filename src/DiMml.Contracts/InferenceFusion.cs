namespace DiMml;

/// <summary>How a trained DI-MML model turns its branches (one per modality, plus the fusion head) into one prediction.</summary>
public enum InferenceFusion
{
    /// <summary>The paper's certainty-aware logit weighting of the branches, with the fusion head trained on the training
    /// rows. No rows are held out. Not the default: it loses to its own best branch when one view is much weaker (see
    /// <see cref="Selected"/>).</summary>
    CertaintyWeighting,

    /// <summary>The fusion head alone (the "no weighting" ablation). Needs a fusion head; the per-modality scores are still
    /// output.</summary>
    FusionHeadOnly,

    /// <summary>Certainty weighting of temperature-scaled branches. Stage 1 never trains on the held-out rows (the
    /// validation rows when given, else a share of the training rows); there each branch's temperature is fitted by
    /// minimising NLL and the fusion head is trained (cross-fitted for its temperature). The per-modality scores are then
    /// calibrated too.</summary>
    CalibratedCertaintyWeighting,

    /// <summary>The default. Stage 1 first trains without the held-out rows (as for <see cref="CalibratedCertaintyWeighting"/>);
    /// there the candidates are scored, cross-fitted: the paper's weighting (T = 1 and 3), each single branch, the fusion head alone,
    /// the calibrated weighting, a per-class weighting (one factor per branch and class) and a stacked combiner (multinomial
    /// logistic regression on every branch's calibrated log-probabilities). Each is paired with the paper's weighting, and
    /// replaces it only when its held-out gain exceeds two standard errors of the paired difference (three for a single branch,
    /// which drops a modality); of those, the one with the highest lower bound wins. Near-ties keep the paper's weighting. Then,
    /// by default, stage 1 is trained again on all rows when the choice fitted nothing there (see <c>RefitOnAllRows</c>), so
    /// training costs about twice the paper's. Unlike the paper's weighting, this does not keep following a weak view that is
    /// confident and wrong; docs/fusion-and-calibration.md has the measured table. The choice and every candidate's held-out
    /// accuracy are in the diagnostics, the log and the model's metadata.</summary>
    Selected,
}
