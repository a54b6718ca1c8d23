using DiMml.Torch.Training;
using Microsoft.ML;

namespace DiMml.MLNet;

public sealed partial class DiMmlTrainer
{
    /// <summary>
    /// Settings of <see cref="DiMmlTrainer"/>. Defaults are the paper's and its reference code's; examples and
    /// tests set smaller budgets explicitly.
    /// </summary>
    public sealed class Options
    {
        /// <summary>Label column: a key type (put <c>MapValueToKey</c> first). Default "Label".</summary>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>The modalities, at least 2, each a known-size float vector column.</summary>
        public IList<ModalityOptions> Modalities { get; } = new List<ModalityOptions>();

        /// <summary>Stage-1 epochs. Default 150.</summary>
        public int Epochs { get; set; } = 150;

        /// <summary>Rows per optimisation step. Default 16.</summary>
        public int BatchSize { get; set; } = 16;

        /// <summary>SGD learning rate. Default 1e-3.</summary>
        public double LearningRate { get; set; } = 1e-3;

        /// <summary>SGD momentum. Default 0.9.</summary>
        public double Momentum { get; set; } = 0.9;

        /// <summary>SGD weight decay. Default 1e-4.</summary>
        public double WeightDecay { get; set; } = 1e-4;

        /// <summary>StepLR period in epochs. Default 70.</summary>
        public int LrStepSize { get; set; } = 70;

        /// <summary>StepLR factor. Default 0.1.</summary>
        public double LrGamma { get; set; } = 0.1;

        /// <summary>0-based epoch at which DUC starts and the effective dimensions are computed.
        /// Null (default): 20 when Epochs ≥ 40, else Epochs / 2. Must be below <see cref="Epochs"/>.</summary>
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

        /// <summary>Temperature T of the certainty weighting. Default 1.</summary>
        public double CertaintyTemperature { get; set; } = 1.0;

        /// <summary>Feature size D shared by all encoders (DUC and the shared head need one space). Default 512.</summary>
        public int EmbeddingSize { get; set; } = 512;

        /// <summary>Optional validation data (same columns); its per-branch accuracy is reported in the diagnostics. Never used for training.</summary>
        public IDataView? ValidationSet { get; set; }

        /// <summary>Training device. Default <see cref="TrainingDevice.Cpu"/>.</summary>
        public TrainingDevice Device { get; set; } = TrainingDevice.Cpu;

        /// <summary>Seed of initialisation and batch order: set for exactly reproducible CPU runs. Null (default): drawn from the MLContext's random source.</summary>
        public int? Seed { get; set; }

        /// <summary>libtorch CPU threads. This is a process-wide setting of libtorch, applied at Fit. Null (default): libtorch's choice.</summary>
        public int? NumberOfThreads { get; set; }

        /// <summary>
        /// Memory the training data may take when read into memory (4 bytes per feature value). Larger data is
        /// streamed: each epoch reads its batches from the IDataView in the same seeded order, decoding the next
        /// window of rows in the background while the current one trains (half the budget per window). Each window
        /// costs one forward pass of a cursor (rows outside the window are skipped without reading their columns),
        /// so a larger budget means fewer passes. Null (default): a quarter of the memory available to the
        /// process, at most 4 GiB.
        /// </summary>
        public long? MemoryBudgetBytes { get; set; }

        /// <summary>Skip training rows with NaN or infinite features (counted in the log) instead of failing. Default false.</summary>
        public bool DropRowsWithNonFiniteFeatures { get; set; }

        /// <summary>Called after every epoch (progress bars, custom logging). Each epoch is also written to <c>MLContext.Log</c>.</summary>
        public Action<EpochRecord>? EpochCompleted { get; set; }
    }
}
