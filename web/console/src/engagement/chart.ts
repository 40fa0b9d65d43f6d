/**
 * The engagement line chart: Chart.js with only the parts it uses registered (so the bundle stays
 * small). No animation and a fixed-height box: Chart.js sets canvas styles through the CSSOM, which
 * the strict `style-src 'self'` allows; it injects no <style> element.
 */
import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

const palette = ['#1d4f91', '#b3501a', '#2f7d32', '#7b2d8b', '#8a6d00', '#00707a'];

export interface ChartSeries {
  label: string;
  values: number[];
}

let current: Chart | undefined;

export function drawChart(canvas: HTMLCanvasElement, periods: string[], series: ChartSeries[]): void {
  current?.destroy();
  current = new Chart(canvas, {
    type: 'line',
    data: {
      labels: periods,
      datasets: series.map((one, index) => ({
        label: one.label,
        data: one.values,
        borderColor: palette[index % palette.length],
        backgroundColor: palette[index % palette.length],
        tension: 0,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
