"""Drawing with QtGui alone (no widgets): the signage the window prints and the command line saves as PDF."""
