//! ss's 256-byte `fgets` buffer, simulated: what a line leaves behind stays
//! in the buffer for the next, and ss's parsing reads and writes past a
//! short line's end; which bytes were never written is tracked so that
//! reading them gives a diagnostic instead of invented data.
