using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace FixedShapeLoss.Samples.Pictures;

/// <summary>
/// The picture a training sample writes beside its output: on the left the training loss per epoch, on the right
/// the learned decision regions (the class the trained model predicts on a fine grid, in light colours) under the
/// training points (in the colours of their true classes). ScottPlot draws it; only the samples reference ScottPlot.
/// </summary>
internal static class TrainingPicture
{
    /// <summary>Width of the PNG in pixels.</summary>
    public const int Width = 1200;

    /// <summary>Height of the PNG in pixels.</summary>
    public const int Height = 520;

    /// <summary>Grid cells per axis of the decision regions.</summary>
    private const int Cells = 120;

    private static readonly Color[] s_palette =
    {
        Color.FromHex("#4C72B0"), Color.FromHex("#DD8452"), Color.FromHex("#55A868"), Color.FromHex("#C44E52"),
        Color.FromHex("#8172B3"), Color.FromHex("#937860"), Color.FromHex("#DA8BC3"), Color.FromHex("#8C8C8C"),
    };

    /// <summary>Draws and saves the picture.</summary>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="title">The title over the decision regions.</param>
    /// <param name="losses">The mean training loss of each epoch.</param>
    /// <param name="predict">The class the trained model predicts at (x, y), in [0, classNames.Length).</param>
    /// <param name="points">The training points, x and y interleaved.</param>
    /// <param name="pointClass">The true class of each point.</param>
    /// <param name="classNames">A legend name per class.</param>
    public static void Save(string path, string title, IReadOnlyList<double> losses, Func<double, double, int> predict, double[] points, int[] pointClass, string[] classNames)
    {
        var picture = new Multiplot(); // starts with one plot: the loss curve
        Plot lossPlot = picture.GetPlot(0);
        var epochs = Enumerable.Range(1, losses.Count).Select(e => (double)e).ToArray();
        var curve = lossPlot.Add.Scatter(epochs, losses.ToArray());
        curve.Color = s_palette[0];
        curve.LineWidth = 2;
        curve.MarkerSize = 6;
        lossPlot.Title("training loss per epoch");
        lossPlot.XLabel("epoch");
        lossPlot.YLabel("mean loss");

        var regionPlot = new Plot();
        picture.AddPlot(regionPlot);
        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        for (int n = 0; n < pointClass.Length; n++)
        {
            xMin = Math.Min(xMin, points[2 * n]);
            xMax = Math.Max(xMax, points[2 * n]);
            yMin = Math.Min(yMin, points[2 * n + 1]);
            yMax = Math.Max(yMax, points[2 * n + 1]);
        }

        double margin = 0.05 * Math.Max(xMax - xMin, yMax - yMin);
        xMin -= margin;
        xMax += margin;
        yMin -= margin;
        yMax += margin;
        double cellWidth = (xMax - xMin) / Cells, cellHeight = (yMax - yMin) / Cells;
        for (int row = 0; row < Cells; row++)
        {
            // One rectangle per run of equal predictions along the row.
            double bottom = yMin + row * cellHeight, centre = bottom + cellHeight / 2;
            int start = 0, current = predict(xMin + cellWidth / 2, centre);
            for (int column = 1; column <= Cells; column++)
            {
                int next = column < Cells ? predict(xMin + (column + 0.5) * cellWidth, centre) : -1;
                if (next != current)
                {
                    var cell = regionPlot.Add.Rectangle(xMin + start * cellWidth, xMin + column * cellWidth, bottom, bottom + cellHeight);
                    cell.FillColor = s_palette[current % s_palette.Length].WithAlpha(0.22);
                    cell.LineWidth = 0;
                    start = column;
                    current = next;
                }
            }
        }

        for (int k = 0; k < classNames.Length; k++)
        {
            var members = Enumerable.Range(0, pointClass.Length).Where(n => pointClass[n] == k).ToArray();
            if (members.Length == 0)
            {
                continue;
            }

            var dots = regionPlot.Add.ScatterPoints(members.Select(n => points[2 * n]).ToArray(), members.Select(n => points[2 * n + 1]).ToArray());
            dots.Color = s_palette[k % s_palette.Length];
            dots.MarkerSize = 4;
            dots.LegendText = classNames[k];
        }

        regionPlot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        regionPlot.Title(title);
        regionPlot.XLabel("x");
        regionPlot.YLabel("y");
        regionPlot.ShowLegend(Edge.Right);
        picture.Layout = new ScottPlot.MultiplotLayouts.Columns();
        picture.SavePng(path, Width, Height);
    }
}
