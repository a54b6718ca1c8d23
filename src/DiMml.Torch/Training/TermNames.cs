namespace DiMml.Torch.Training;

/// <summary>
/// The keys of <see cref="EpochRecord.Losses"/> and <see cref="EpochRecord.TrainAccuracy"/>: built here by the training
/// procedures and read here by everything that reports them.
/// </summary>
public static class TermNames
{
    /// <summary>The optimised sum of the terms, in <see cref="EpochRecord.Losses"/>.</summary>
    public const string Total = "total";

    /// <summary>The DUC loss, in <see cref="EpochRecord.Losses"/>.</summary>
    public const string Duc = "duc";

    /// <summary>The fusion head's CE loss and accuracy (DI-MML stage 2, joint training).</summary>
    public const string Fusion = "fusion";

    /// <summary>A linear probe's CE loss and accuracy (the joint baseline's diagnostics).</summary>
    public const string Probe = "probe";

    /// <summary>The fused prediction's accuracy, beside each branch's, in validation reports.</summary>
    public const string Fused = "fused";

    /// <summary>What precedes a modality's name in the shared head's terms.</summary>
    public const string SharedPrefix = "shared.";

    /// <summary>The CE loss of modality <paramref name="modality"/>'s own branch (its modality head).</summary>
    /// <param name="modality">The modality's name.</param>
    public static string BranchLoss(string modality) => $"ce.{modality}";

    /// <summary>The accuracy of modality <paramref name="modality"/>'s own branch: the modality's name itself.</summary>
    /// <param name="modality">The modality's name.</param>
    public static string BranchAccuracy(string modality) => modality;

    /// <summary>The shared head's CE loss and accuracy on modality <paramref name="modality"/>.</summary>
    /// <param name="modality">The modality's name.</param>
    public static string Shared(string modality) => SharedPrefix + modality;
}
