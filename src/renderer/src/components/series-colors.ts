/** Distinct colours for series that stand for servers (masters, shards), readable on the dark theme. */
export const SERIES_COLORS = ['#5c7cfa', '#20c997', '#fab005', '#e64980', '#15aabf', '#82c91e', '#be4bdb', '#fd7e14', '#4c6ef5', '#12b886']
