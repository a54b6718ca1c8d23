namespace DiMml;

/// <summary>The default of every training option, the paper's and its reference code's except the fusion
/// (<see cref="Inference"/>, <see cref="RefitOnAllRows"/>): one place for the options classes and the catalog methods'
/// parameters.</summary>
public static class TrainerDefaults
{
    /// <summary>Training epochs (stage 1 for DI-MML): 150.</summary>
    public const int Epochs = 150;

    /// <summary>Rows per optimisation step: 16.</summary>
    public const int BatchSize = 16;

    /// <summary>SGD learning rate: 1e-3.</summary>
    public const double LearningRate = 1e-3;

    /// <summary>SGD momentum: 0.9.</summary>
    public const double Momentum = 0.9;

    /// <summary>SGD weight decay: 1e-4.</summary>
    public const double WeightDecay = 1e-4;

    /// <summary>Epochs between learning-rate decays (StepLR period): 70.</summary>
    public const int LearningRateStepSize = 70;

    /// <summary>Learning-rate factor at each decay (StepLR gamma): 0.1.</summary>
    public const double LearningRateDecay = 0.1;

    /// <summary>Feature size D of every encoder: 512.</summary>
    public const int EmbeddingSize = 512;

    /// <summary>Seed of the core learners: 0, the reference code's (the ML.NET trainers draw one from the MLContext
    /// instead, as ML.NET's own trainers do).</summary>
    public const int Seed = 0;

    /// <summary>Checkpoints kept: the newest 3.</summary>
    public const int CheckpointsToKeep = 3;

    /// <summary>DUC temperature τ: 10 (the paper's for AVE and UCF101).</summary>
    public const double DucTemperature = 10.0;

    /// <summary>DUC weight μ: 1.</summary>
    public const double DucWeight = 1.0;

    /// <summary>Shared-head weight λ: 1.</summary>
    public const double SharedHeadWeight = 1.0;

    /// <summary>Stage-2 (fusion head) epochs: 20.</summary>
    public const int FusionEpochs = 20;

    /// <summary>Share of each class's rows held out for calibrated and selected fusion: 0.1.</summary>
    public const double CalibrationFraction = 0.1;

    /// <summary>How DI-MML predicts: <see cref="InferenceFusion.Selected"/> (the paper's weighting unless another fusion wins
    /// clearly on held-out rows; not the paper's default, see the trainers' <c>Inference</c> option).</summary>
    public const InferenceFusion Inference = InferenceFusion.Selected;

    /// <summary>Whether calibrated and selected fusion train stage 1 again on all rows after the choice:
    /// <see cref="RefitPolicy.WhenChoiceIsFitFree"/> (set by the fusion suite's measurement, see docs/fusion-and-calibration.md).</summary>
    public const RefitPolicy RefitOnAllRows = RefitPolicy.WhenChoiceIsFitFree;

    /// <summary>Temperature T of the certainty weighting: 1.</summary>
    public const double CertaintyTemperature = 1.0;

    /// <summary>The label column of the ML.NET trainers: "Label".</summary>
    public const string LabelColumnName = "Label";
}
