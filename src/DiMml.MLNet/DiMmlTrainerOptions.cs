using DiMml.Torch.Training;
using Microsoft.ML;

namespace DiMml.MLNet;

public sealed partial class DiMmlTrainer
{
    /// <summary>
    /// Settings of <see cref="DiMmlTrainer"/>: the shared ones of <see cref="MultimodalTrainerOptions"/> plus DUC, the
    /// shared head, the fusion head and the certainty weighting. Defaults are the paper's and its reference code's;
    /// examples and tests set smaller budgets explicitly.
    /// </summary>
    public sealed class Options : MultimodalTrainerOptions
    {
        /// <summary>0-based epoch at which DUC starts and the effective dimensions are computed.
        /// Null (default): 20 when Epochs ≥ 40, else Epochs / 2. Must be below <see cref="MultimodalTrainerOptions.Epochs"/>.</summary>
        public int? DucStartEpoch { get; set; }

        /// <summary>DUC temperature τ. Default 10.</summary>
        public double DucTemperature { get; set; } = 10.0;

        /// <summary>DUC weight μ. Default 1; 0 disables DUC (the "no DUC" ablation).</summary>
        public double DucWeight { get; set; } = 1.0;

        /// <summary>Shared-head weight λ. Default 1; 0 disables the shared head (the "no shared head" ablation).</summary>
        public double SharedHeadWeight { get; set; } = 1.0;

        /// <summary>Recompute the effective dimensions every K epochs after the DUC start. Null (default): once, as in the paper.</summary>
        public int? DimensionRefreshInterval { get; set; }

        /// <summary>Stage-2 fusion head. Default <see cref="FusionHeadKind.Concat"/>.</summary>
        public FusionHeadKind FusionHead { get; set; } = FusionHeadKind.Concat;

        /// <summary>Stage-2 epochs. Default 20.</summary>
        public int FusionEpochs { get; set; } = 20;

        /// <summary>What the fusion head trains on. Default <see cref="Torch.Training.FusionFeatures.EncodedOnce"/> (the
        /// training rows encoded once, without augmentation); <see cref="Torch.Training.FusionFeatures.AugmentedBatches"/>
        /// encodes every stage-2 batch augmented, as the authors do. <see cref="DiMmlDiagnostics.FusionFeatures"/> says which ran.</summary>
        public FusionFeatures FusionFeatures { get; set; } = FusionFeatures.EncodedOnce;

        /// <summary>How the saved model predicts. Default <see cref="InferenceFusion.CertaintyWeighting"/> (the paper's).</summary>
        public InferenceFusion Inference { get; set; } = InferenceFusion.CertaintyWeighting;

        /// <summary>Without a <see cref="MultimodalTrainerOptions.ValidationSet"/>: the share of each class's training rows that
        /// calibrated and selected fusion hold out of stage 1. Default 0.1; at most 0.5. Unused by the paper's fusion.</summary>
        public double CalibrationFraction { get; set; } = 0.1;

        /// <summary>Temperature T of the certainty weighting. Default 1.</summary>
        public double CertaintyTemperature { get; set; } = 1.0;
    }
}
