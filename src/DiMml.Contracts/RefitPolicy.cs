namespace DiMml;

/// <summary>Whether DI-MML trains stage 1 again on all rows after choosing its fusion on rows held out of the training rows.</summary>
public enum RefitPolicy
{
    /// <summary>Keep the model whose stage 1 never saw the held-out rows.</summary>
    Never,

    /// <summary>The default: refit when the chosen fusion's rule has no parameters fitted on the held-out rows (the paper's
    /// weighting, one branch, the fusion head), so the refitted model scores with the same rule; keep the held-out model when
    /// the choice is a calibrated, per-class or stacked fusion, whose temperatures and weights were fitted to that model's
    /// branches. The refit trains the fusion head the paper's way on all rows, even when the held-out model had kept a head
    /// fitted on the held-out rows.</summary>
    WhenChoiceIsFitFree,

    /// <summary>Always refit, keeping the chosen fusion with its temperatures and weights even though they were fitted to the
    /// held-out model's branches.</summary>
    Always,
}
