// Package bot holds what the chat platforms have in common: the descriptor
// a platform registers (Platform), the door every callback passes,
// posting and splitting. Each platform is a package below it; nothing
// outside its folder names it.
package bot
