using DiMml.Calibration;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml;

/// <summary>Temperature scaling of score columns on labelled rows, for <see cref="CertaintyWeightedFusionEstimator"/>.</summary>
internal static class FusionCalibration
{
    private const float ProbabilityFloor = 1e-12f;

    /// <summary>One temperature per score column, fitted on the rows whose label and every score are present.</summary>
    public static double[] Fit(IDataView data, string[] scoreColumns, string labelColumn, ScoreKind kind, int classes)
    {
        var columns = scoreColumns.Select(c => data.Schema[c]).Append(data.Schema[labelColumn]).ToArray();
        var values = scoreColumns.Select(_ => new List<float>()).ToArray();
        var labels = new List<long>();
        using (var cursor = data.GetRowCursor(columns))
        {
            var getters = scoreColumns.Select(c => cursor.GetGetter<VBuffer<float>>(data.Schema[c])).ToArray();
            var label = cursor.GetGetter<uint>(data.Schema[labelColumn]);
            var buffers = new VBuffer<float>[scoreColumns.Length];
            uint key = 0;
            while (cursor.MoveNext())
            {
                label(ref key);
                for (var k = 0; k < getters.Length; k++)
                {
                    getters[k](ref buffers[k]);
                }

                if (key == 0 || buffers.Any(b => b.DenseValues().Any(v => !float.IsFinite(v))))
                {
                    continue;
                }

                labels.Add(key - 1);
                for (var k = 0; k < buffers.Length; k++)
                {
                    values[k].AddRange(buffers[k].DenseValues()
                        .Select(v => kind == ScoreKind.Logits ? v : MathF.Log(MathF.Max(v, ProbabilityFloor))));
                }
            }
        }

        if (labels.Count == 0)
        {
            throw new ArgumentException(
                $"Calibrate found no row with a label in '{labelColumn}' and finite values in every score column; fit the fusion on " +
                    $"labelled held-out scores.", labelColumn);
        }

        return TemperatureSearch.Fit(values.Select(v => v.Select(x => (double)x).ToArray()).ToArray(), classes, labels);
    }
}
