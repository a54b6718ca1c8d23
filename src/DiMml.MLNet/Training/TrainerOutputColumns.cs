using DiMml.MLNet.Scoring;

namespace DiMml;

/// <summary>The output columns a trainer's options name.</summary>
internal static class TrainerOutputColumns
{
    /// <summary>The names set on <paramref name="options"/>.</summary>
    public static OutputColumnNames OutputColumns(this IMultimodalTrainerOptions options) => new(
        options.ScoreColumnName, options.PredictedLabelColumnName, options.BranchWeightsColumnName, options.ModalityScoreColumnPrefix);
}
