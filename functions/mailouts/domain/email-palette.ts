/** The colours a mail-out e-mail uses, shared by the body's inline styles and the layout around it. */
import { config } from '../../../shared/config';

export const colour = config.branding.primaryColour;
export const muted = '#4a5160';
export const rule = '#e3e6ea';
